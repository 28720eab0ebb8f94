"""The helpdesk package: shared by every Lambda function (shipped as a layer) and the local stack.

- ``helpdesk.domain``   pure logic: parsing, sanitizing, threading, rules, templates, status machine
- ``helpdesk.store``    pynamodb models and repositories
- ``helpdesk.aws``      thin adapters for S3, SES, EventBridge, SQS, Cognito
- ``helpdesk.services`` one function per use case, wiring domain and adapters
- ``helpdesk.api``      the Chalice app (agents' API, public routes, web client)
"""

__version__ = "0.1.0"
