"""Use case: move messages from a dead-letter queue back to its source queue."""

from __future__ import annotations

from typing import Any


def redrive(sqs: Any, dlq_url: str, queue_url: str, limit: int = 10_000) -> int:
    """Re-send every DLQ message to the queue, deleting each only after it was re-sent."""
    moved = 0
    while moved < limit:
        messages = sqs.receive_message(
            QueueUrl=dlq_url, MaxNumberOfMessages=10, WaitTimeSeconds=0, MessageAttributeNames=["All"]
        ).get("Messages", [])
        if not messages:
            break
        for message in messages:
            sqs.send_message(
                QueueUrl=queue_url, MessageBody=message["Body"], MessageAttributes=message.get("MessageAttributes", {})
            )
            sqs.delete_message(QueueUrl=dlq_url, ReceiptHandle=message["ReceiptHandle"])
            moved += 1
    return moved
