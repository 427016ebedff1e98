"""The JobMojito API: its OpenAPI document, models, request validation, token source and client.

- ``openapi.json``: the vendor's OpenAPI document as published; ``sync.jobmojito.spec``
  loads it and checks requests against it (the sandbox's validator);
- ``sync.jobmojito.models``: pydantic models transcribed from that document, field by
  field (what the client validates payloads with);
- ``sync.jobmojito.validate``: a candidate payload checked against them, with messages
  users can act on;
- ``sync.jobmojito.client``: ``ApiClient`` over one pooled ``httpx`` client,
  ``TokenSource``, and ``classify``, the one retry policy.
"""
