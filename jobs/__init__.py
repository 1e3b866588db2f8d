"""Scheduled work: polling sources, composing digests into the outbox, draining the outbox."""
