"""Thin adapters around boto3: one small class per service, no business decisions."""
