"""Kafka in and out: events arrive as messages keyed by the spec's partition key and
findings leave as alerts. ``publish`` sends JSONL files, ``consume`` stores messages
idempotently (offsets committed only after the store has committed), sends malformed
ones to a dead-letter topic and the quarantine, and, in the one consumer that holds
the detection lease, keeps projections and findings current and publishes alerts."""
