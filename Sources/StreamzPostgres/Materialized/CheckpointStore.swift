import StreamzKafka

/// What a checkpoint stores for one partition.
struct PartitionCheckpoint: Sendable {
    var partition: TopicPartition
    var nextOffset: Int64
    var watermark: Int64?
    /// The epoch this checkpoint builds on; it writes `baseEpoch + 1`.
    var baseEpoch: Int64
    var state: [UInt8]
}

/// One checkpoint: the rows, and for every partition that changed its offset,
/// watermark and open-window state. It is written in one transaction.
struct Checkpoint: Sendable {
    /// Unique per write: how a retry recognises its own earlier attempt.
    var id: String
    var rows: [WindowRow]
    var partitions: [PartitionCheckpoint]
}

/// What a partition's last checkpoint left.
struct StoredPartition: Sendable {
    var nextOffset: Int64
    var watermark: Int64?
    var epoch: Int64
    var state: [UInt8]?
}

enum CheckpointOutcome: Sendable, Equatable {
    case committed
    /// A retry found its own earlier attempt committed (the COMMIT reply was lost).
    case alreadyCommitted
}

/// Another owner has checkpointed these partitions since this one last did: this
/// process lost them (a rebalance it missed) and must not write over the new owner.
public struct CheckpointFencedError: Error, CustomStringConvertible {
    public let partitions: [TopicPartition]
    public var description: String {
        "checkpoint fenced: \(partitions.map(\.description).joined(separator: ", ")) moved to another owner"
    }
}

/// Reads and writes a pipeline's checkpoints: `streamz_offsets`, `streamz_window_state`
/// and the window table, always together.
struct CheckpointStore: Sendable {
    let client: PostgresClient
    let pipeline: String
    /// Nil when the rows go downstream: the store keeps only state and offsets.
    let table: WindowTable?
    /// Tests: runs inside the transaction after every write and before COMMIT, to
    /// crash a checkpoint half-way.
    var beforeCommit: (@Sendable () async throws -> Void)?

    /// Creates the window table when missing. The advisory lock keeps replicas that
    /// start together from racing on CREATE TABLE IF NOT EXISTS (which can fail on a
    /// duplicate type name when two run at once).
    func prepareTable() async throws {
        guard let table else { return }
        try await client.transaction { transaction in
            try await transaction.query("SELECT pg_advisory_xact_lock($1)", [Migrator.lockKey])
            try await transaction.execute(table.createSQL)
        }
    }

    /// Blocking, retried until PostgreSQL answers: it runs on the Kafka loop inside a
    /// rebalance, which cannot go on without it.
    func load(_ partitions: [TopicPartition]) throws -> [TopicPartition: StoredPartition] {
        let (topics, numbers) = Self.arrays(partitions)
        let rows = try client.blockingQuery("""
            SELECT o.topic, o.partition, o.next_offset, o.watermark, o.epoch, s.state
            FROM streamz_offsets o LEFT JOIN streamz_window_state s USING (pipeline, topic, partition)
            WHERE o.pipeline = $1::text
              AND (o.topic, o.partition) IN (SELECT * FROM unnest($2::text[], $3::int4[]))
            """, [pipeline, topics, numbers])
        var stored: [TopicPartition: StoredPartition] = [:]
        for index in 0..<rows.count {
            guard let topic = rows[index, "topic"], let partition = rows.int(index, "partition").map(Int32.init),
                  let next = rows.int(index, "next_offset"), let epoch = rows.int(index, "epoch") else { continue }
            stored[TopicPartition(topic, partition)] = StoredPartition(
                nextOffset: next, watermark: rows.int(index, "watermark"), epoch: epoch,
                state: try rows[index, "state"].map(Self.bytes(fromHex:)))
        }
        return stored
    }

    func write(_ checkpoint: Checkpoint) async throws -> CheckpointOutcome {
        let partitions = checkpoint.partitions.map(\.partition)
        let (topics, numbers) = Self.arrays(partitions)
        return try await client.transaction { transaction in
            // Lock the partitions' offset rows, then see whose epoch they hold.
            let current = try await transaction.query("""
                SELECT topic, partition, epoch, checkpoint_id FROM streamz_offsets
                WHERE pipeline = $1::text AND (topic, partition) IN (SELECT * FROM unnest($2::text[], $3::int4[]))
                FOR UPDATE
                """, [pipeline, topics, numbers])
            var epochs: [TopicPartition: Int64] = [:]
            var writers: [TopicPartition: String] = [:]
            for index in 0..<current.count {
                if let topic = current[index, "topic"], let partition = current.int(index, "partition"),
                   let epoch = current.int(index, "epoch") {
                    epochs[TopicPartition(topic, Int32(partition))] = epoch
                    writers[TopicPartition(topic, Int32(partition))] = current[index, "checkpoint_id"]
                }
            }
            if checkpoint.partitions.allSatisfy({
                epochs[$0.partition] == $0.baseEpoch + 1 && writers[$0.partition] == checkpoint.id
            }) { return .alreadyCommitted }
            let fenced = checkpoint.partitions.filter { (epochs[$0.partition] ?? 0) != $0.baseEpoch }.map(\.partition)
            guard fenced.isEmpty else { throw CheckpointFencedError(partitions: fenced) }

            if let table, !checkpoint.rows.isEmpty {
                try await transaction.query(table.upsertSQL, table.upsertParameters(checkpoint.rows))
            }
            var states = PostgresArray()
            for partition in checkpoint.partitions { states.append(text: Self.hex(partition.state)) }
            try await transaction.query("""
                INSERT INTO streamz_window_state AS s (pipeline, topic, partition, state)
                SELECT $1::text, * FROM unnest($2::text[], $3::int4[], $4::bytea[])
                ON CONFLICT (pipeline, topic, partition) DO UPDATE SET state = excluded.state, updated_at = now()
                """, [pipeline, topics, numbers, states])
            var offsets = PostgresArray(), watermarks = PostgresArray(), newEpochs = PostgresArray()
            for partition in checkpoint.partitions {
                offsets.append(partition.nextOffset)
                watermarks.append(text: partition.watermark.map { String($0) })
                newEpochs.append(partition.baseEpoch + 1)
            }
            // The WHERE fences a concurrent first write of a partition that had no row
            // when the SELECT above looked (FOR UPDATE cannot lock a missing row).
            let written = try await transaction.query("""
                INSERT INTO streamz_offsets AS o (pipeline, topic, partition, next_offset, watermark, epoch, checkpoint_id)
                SELECT $1::text, u.*, $7::text FROM unnest($2::text[], $3::int4[], $4::int8[], $5::int8[], $6::int8[]) AS u
                ON CONFLICT (pipeline, topic, partition) DO UPDATE
                SET next_offset = excluded.next_offset, watermark = excluded.watermark,
                    epoch = excluded.epoch, checkpoint_id = excluded.checkpoint_id, updated_at = now()
                WHERE o.epoch = excluded.epoch - 1
                """, [pipeline, topics, numbers, offsets, watermarks, newEpochs, checkpoint.id])
            guard written.affected == checkpoint.partitions.count else {
                throw CheckpointFencedError(partitions: partitions)
            }
            try await beforeCommit?()
            return .committed
        }
    }

    private static func arrays(_ partitions: [TopicPartition]) -> (PostgresArray, PostgresArray) {
        var topics = PostgresArray(), numbers = PostgresArray()
        for partition in partitions {
            topics.append(text: partition.topic)
            numbers.append(Int64(partition.partition))
        }
        return (topics, numbers)
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// bytea's text input form, `\x` and two hex digits a byte.
    static func hex(_ bytes: [UInt8]) -> String {
        var text = [UInt8](repeating: 0, count: 2 + bytes.count * 2)
        text[0] = UInt8(ascii: "\\")
        text[1] = UInt8(ascii: "x")
        for (index, byte) in bytes.enumerated() {
            text[2 + index * 2] = hexDigits[Int(byte >> 4)]
            text[3 + index * 2] = hexDigits[Int(byte & 0xf)]
        }
        return String(decoding: text, as: UTF8.self)
    }

    struct BadHex: Error {}

    static func bytes(fromHex text: String) throws -> [UInt8] {
        let utf8 = Array(text.utf8)
        guard utf8.count >= 2, utf8[0] == UInt8(ascii: "\\"), utf8[1] == UInt8(ascii: "x"), utf8.count % 2 == 0 else { throw BadHex() }
        func nibble(_ c: UInt8) throws -> UInt8 {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
            default: throw BadHex()
            }
        }
        var bytes = [UInt8](repeating: 0, count: (utf8.count - 2) / 2)
        for index in bytes.indices {
            bytes[index] = try nibble(utf8[2 + index * 2]) << 4 | nibble(utf8[3 + index * 2])
        }
        return bytes
    }
}
