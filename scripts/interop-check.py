#!/usr/bin/env python3
"""Round trip through a Kafka broker with confluent-kafka (a client that is not ours).

Produces COUNT keyed messages (key-<i> -> value-<i>) to TOPIC, then reads the topic
from the beginning of every partition and checks that each of them came back.
Prints one JSON line: {"produced": N, "consumed": M, "missing": K, "partitions": P}.
Exit status 0 when every message came back, 1 when not, 2 on a client error.

Used by Tests/StreamzKafkaTests/EmbeddedKafkaTests.swift against EmbeddedKafka:
    python3 scripts/interop-check.py --bootstrap 127.0.0.1:PORT --topic T --count 100
"""

import argparse
import json
import sys
import time

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, KafkaException, Producer, TopicPartition


def produce(bootstrap, topic, count, deadline):
    failures = []
    producer = Producer({"bootstrap.servers": bootstrap, "client.id": "streamz-interop-producer"})
    for i in range(count):
        producer.produce(topic, key=f"key-{i}", value=f"value-{i}",
                         on_delivery=lambda err, _msg: err and failures.append(err))
        producer.poll(0)
    remaining = producer.flush(max(0.1, deadline - time.monotonic()))
    if remaining or failures:
        raise RuntimeError(f"{remaining} undelivered, delivery errors: {failures[:3]}")


def consume(bootstrap, topic, deadline):
    """Reads every partition from the beginning to its end. Manual assignment, not a
    group subscription: no rebalance to wait for, and the check stays about data."""
    consumer = Consumer({
        "bootstrap.servers": bootstrap,
        "group.id": "streamz-interop-check",
        "enable.auto.commit": False,
        "enable.partition.eof": True,
        "client.id": "streamz-interop-consumer",
    })
    try:
        metadata = consumer.list_topics(topic, timeout=max(0.1, deadline - time.monotonic()))
        partitions = sorted(metadata.topics[topic].partitions)
        consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in partitions])
        pending = set(partitions)
        seen = {}
        while pending and time.monotonic() < deadline:
            msg = consumer.poll(0.2)
            if msg is None:
                continue
            if msg.error():
                if msg.error().code() == KafkaError._PARTITION_EOF:
                    pending.discard(msg.partition())
                    continue
                raise KafkaException(msg.error())
            seen[msg.key().decode()] = msg.value().decode()
        if pending:
            raise RuntimeError(f"timed out before the end of partitions {sorted(pending)}")
        return seen, len(partitions)
    finally:
        consumer.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--timeout", type=float, default=8.0, help="seconds for the whole check")
    args = parser.parse_args()
    deadline = time.monotonic() + args.timeout

    try:
        produce(args.bootstrap, args.topic, args.count, deadline)
        seen, partitions = consume(args.bootstrap, args.topic, deadline)
    except Exception as error:  # noqa: BLE001 - report any client failure as exit 2
        print(f"interop-check: {error}", file=sys.stderr)
        return 2

    expected = {f"key-{i}": f"value-{i}" for i in range(args.count)}
    missing = [k for k, v in expected.items() if seen.get(k) != v]
    print(json.dumps({"produced": args.count, "consumed": len(seen),
                      "missing": len(missing), "partitions": partitions}), flush=True)
    return 0 if not missing else 1


if __name__ == "__main__":
    sys.exit(main())
