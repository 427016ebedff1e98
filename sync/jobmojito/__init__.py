"""The JobMojito API: its models, request validation, token source and client.

- ``sync.jobmojito.models``: pydantic models transcribed from the vendor's
  OpenAPI document, field by field;
- ``sync.jobmojito.validate``: a candidate payload checked against them, with
  messages users can act on;
- ``sync.jobmojito.client``: ``ApiClient`` over one pooled ``httpx`` client,
  ``TokenSource``, and ``classify``, the one retry policy.
"""
