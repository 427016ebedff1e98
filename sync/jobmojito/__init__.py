"""The JobMojito API: its OpenAPI document, models, validation and client."""
