from tests.mocked import aws, aws_mock, chalice_app, client, alice, bob, pump  # noqa: F401
