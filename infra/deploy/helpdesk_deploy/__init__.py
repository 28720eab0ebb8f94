"""`make deploy`: build the Lambda artefacts for python3.12 without python3.12 or Docker, deploy them with the
AWS CLI and CloudFormation, and print the set-up steps that follow. See docs/deploy.md."""
