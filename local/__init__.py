"""The embedded stack for `make run`: moto's server as AWS, the API, stream and schedule workers,
the dashboard and the local mail outbox. Never shipped in the Lambda (outside chalicelib/)."""
