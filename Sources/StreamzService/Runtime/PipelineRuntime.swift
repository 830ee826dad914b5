import Logging
import Streamz
import StreamzKafka
import StreamzPostgres

/// Where a pipeline's Kafka clients connect, and as whom.
struct KafkaSettings: Sendable {
    var bootstrapServers: String
    var groupID: String
    var properties: [String: String]
}

/// One configured pipeline, built as an operator graph on a Kafka loop of its own:
///
///     source → decode → [event time] → steps… → Kafka sink
///                                             → keys → window → PostgreSQL (or Kafka)
///     every step's failures, and late records → dead letters
///
/// Each pipeline consumes as its own group, `<group_id>.<name>`: pipelines reading
/// the same topic each see every record, and replicas of one pipeline share them.
///
/// Unchecked Sendable: after `init`, its graph and counters are touched only on its
/// loop thread (`loop.perform`, timers, callbacks), which serialises them.
final class PipelineRuntime: @unchecked Sendable {
    let plan: PipelinePlan
    let loop: KafkaLoop
    let source: KafkaSource
    let counters = PipelineCounters()
    let metrics: PipelineMetrics
    let health: HealthState
    private(set) var outputSink: KafkaSink<KafkaOutgoing>?
    private(set) var deadLetterSink: KafkaSink<DeadLetter>?
    private(set) var window: MaterializedWindow<KeyedRecord, [String]>?
    let client: PostgresClient?
    let logger: Logger
    /// Reports the first fatal failure (a sink that cannot deliver, a fenced or
    /// unusable checkpoint) to whoever runs the pipeline.
    let failures: AsyncStream<String>
    private let failureSink: AsyncStream<String>.Continuation
    private(set) var failure: String?
    var publishTimer: ScheduledWork?
    var lastLatency: Duration?
    var published = (recordsIn: 0, recordsOut: 0, deadLetters: 0, late: 0)
    private var lastUnroutedLog: Duration?
    private var unroutedSinceLog = 0

    init(plan: PipelinePlan, kafka: KafkaSettings, postgresURL: String?, metrics: PipelineMetrics,
         health: HealthState) throws {
        self.plan = plan
        self.metrics = metrics
        self.health = health
        var logger = Logger(label: "streamz.pipeline")
        logger[metadataKey: "pipeline"] = "\(plan.name)"
        self.logger = logger
        (failures, failureSink) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingNewest(1))
        loop = KafkaLoop(name: "streamz-\(plan.name)")
        let config = plan.config
        var sourceConfig = KafkaSourceConfiguration(bootstrapServers: kafka.bootstrapServers,
                                                    groupID: "\(kafka.groupID).\(plan.name)",
                                                    topics: config.source.topics)
        sourceConfig.start = config.source.start == .latest ? .latest : .earliest
        sourceConfig.properties = kafka.properties
        sourceConfig.offsetStore = plan.window == nil ? .kafka : .external
        sourceConfig.revokeTimeout = .seconds(8)
        source = try KafkaSource(sourceConfig, loop: loop)
        client = plan.window == nil ? nil : postgresURL.map { PostgresClient(url: $0) }
        try build(kafka: kafka)
    }

    // MARK: The graph

    private func build(kafka: KafkaSettings) throws {
        let config = plan.config
        let context = EvaluationContext()
        let deadLetters = Streamz.Stream<DeadLetter>(name: "dead letters", upstream: source)
        try routeDeadLetters(deadLetters, kafka: kafka)

        let (format, maxBytes) = (config.source.format, config.source.maxRecordBytes)
        if plan.window == nil, case .kafka(let topic, let key, let headers) = plan.sink {
            // Topic to topic: every stage in one node (see RecordProgram).
            let reading = plan.eventTime.map {
                EventTimeReading(field: $0, unit: config.source.eventTime?.unit.streamzUnit ?? .milliseconds,
                                 maxAheadOfWallClock: nil)
            }
            let program = RecordProgram(plan: plan, key: key, headers: headers, eventTime: reading, context: context)
            let messages = RecordStep<KafkaRecord, KafkaOutgoing>(
                name: "pipeline", upstream: source, deadLetters: deadLetters, sourceOf: { $0 }, prefixesReasons: false
            ) { record, annotation throws(StepFailure) in
                try program.run(record, &annotation)
            }
            let sink = try messages.sinkToKafka(sinkConfiguration(topic, kafka)) { $0 }
            sink.onFailure = { [unowned self] error in self.fail("Kafka sink \(topic): \(error)") }
            outputSink = sink
            watchRebalances()
            return
        }
        let fields = format == .json ? plan.decodedFields : nil
        let decoded = RecordStep<KafkaRecord, ServiceRecord>(
            name: "decode", upstream: source, deadLetters: deadLetters, sourceOf: { $0 }
        ) { record, _ throws(StepFailure) in
            try RecordDecoding.checkSize(record, limit: maxBytes)
            return try RecordDecoding.decode(record, format: format, fields: fields)
        }
        var stream: Streamz.Stream<ServiceRecord> = decoded
        if plan.eventTime != nil || plan.window != nil {
            let reading = EventTimeReading(field: plan.eventTime, unit: config.source.eventTime?.unit.streamzUnit ?? .milliseconds,
                                           maxAheadOfWallClock: plan.window == nil ? nil : 24 * 3_600_000)
            stream = stream.step("event_time", deadLetters: deadLetters) { record, annotation throws(StepFailure) in
                annotation.eventTime = try reading.read(record, kafkaTime: annotation.eventTime, context: context)
                return record
            }
        }
        for step in plan.steps {
            switch step {
            case .filter(let expression):
                stream = stream.step("filter", deadLetters: deadLetters) { record, _ throws(StepFailure) in
                    let keep: JSONValue
                    do { keep = try expression.evaluate(record.value, context: context) } catch { throw StepFailure("\(error)") }
                    guard case .bool(let pass) = keep else {
                        throw StepFailure("'\(expression.text)' gave \(keep.typeName), not a boolean")
                    }
                    return pass ? record : nil
                }
            case .map(let fields):
                stream = stream.step("map", deadLetters: deadLetters) { record, _ throws(StepFailure) in
                    var object = JSONObject()
                    for field in fields {
                        do {
                            object.set(field.name, try field.value.evaluate(record.value, context: context))
                        } catch {
                            throw StepFailure("\(field.name): \(error)")
                        }
                    }
                    var output = record
                    output.value = .object(object)
                    output.isOriginal = false
                    return output
                }
            }
        }
        if let window = plan.window {
            try buildWindow(window, from: stream, deadLetters: deadLetters, kafka: kafka, context: context)
        } else if case .kafka(let topic, let key, let headers) = plan.sink {
            let messages = stream.step("sink key", deadLetters: deadLetters) { record, annotation throws(StepFailure) in
                try OutputEncoding.message(record, key: key, headers: headers, eventTime: annotation.eventTime, context: context)
            }
            let sink = try messages.sinkToKafka(sinkConfiguration(topic, kafka)) { $0 }
            sink.onFailure = { [unowned self] error in self.fail("Kafka sink \(topic): \(error)") }
            outputSink = sink
        }
        watchRebalances()
    }

    private func watchRebalances() {
        source.onRebalance = { [unowned self] assigned, revoked in
            self.health.set(self.assignedComponent, ready: true, reason: nil)
            for partition in revoked { self.metrics.forget(topic: partition.topic, partition: partition.partition) }
            if !assigned.isEmpty || !revoked.isEmpty {
                self.logger.info("rebalance: +\(assigned.count) -\(revoked.count) partition(s), \(self.source.assignment.count) assigned")
            }
        }
    }

    private func buildWindow(_ window: PipelinePlan.Window, from stream: Streamz.Stream<ServiceRecord>,
                             deadLetters: Streamz.Stream<DeadLetter>, kafka: KafkaSettings,
                             context: EvaluationContext) throws {
        guard let client else { throw PipelineSetupError("the window needs postgres.url") }
        let keyed = stream.step("window", deadLetters: deadLetters) { record, _ throws(StepFailure) in
            try WindowInputs.keyed(record, window: window, context: context)
        }
        // Stored offsets and state are keyed like the consumer group, so two configs
        // that happen to share a pipeline name never share a checkpoint.
        var options = MaterializedWindowOptions(pipeline: source.configuration.groupID, kind: window.kind)
        options.grace = window.grace
        options.maxOutOfOrder = plan.config.source.watermark.maxOutOfOrder
        options.emit = window.emit
        options.closeOnIdle = window.closeOnIdle
        if case .kafka = plan.sink { options.output = .downstream }
        let node = try keyed.materialize(into: window.table, client: client, source: source, options: options,
                                         key: { $0.key }, values: { $0.values })
        node.onFailure = { [unowned self] error in self.fail("window table \(window.table.name): \(error)") }
        let counters = self.counters
        node.rejected.subscribe(deadLetters) { rejected, annotation in
            let reason: String
            switch rejected.reason {
            case .late: reason = "late"; counters.late += 1
            case .partiallyLate(let missed): reason = "late (partially: \(missed.count) of its windows had closed)"; counters.late += 1
            case .missingEventTime: reason = "no event time"
            case .unknownPartition: reason = "not from a Kafka partition"
            case .unstorableKey(let problem): reason = "window key: \(problem)"
            }
            return deadLetters.emit(DeadLetter(source: rejected.element.source, reason: reason), annotation)
        }
        if case .kafka(let topic, _, _) = plan.sink {
            let table = window.table
            let messages = node.map { row in OutputEncoding.message(row, table: table) }
            let sink = try messages.sinkToKafka(sinkConfiguration(topic, kafka)) { $0 }
            sink.onFailure = { [unowned self] error in self.fail("Kafka sink \(topic): \(error)") }
            outputSink = sink
        }
        self.window = node
    }

    private func routeDeadLetters(_ deadLetters: Streamz.Stream<DeadLetter>, kafka: KafkaSettings) throws {
        let counters = self.counters
        let pipeline = plan.name
        if let topic = plan.config.deadLetter?.topic {
            var configuration = sinkConfiguration(topic, kafka)
            // A dead letter is the original record, so it can be as big as anything the
            // consumer takes; they are rare, and compress well when big.
            if configuration.properties["message.max.bytes"] == nil {
                configuration.properties["message.max.bytes"] = "\(SourceConfig.maxRecordBytesCeiling + 1_000_000)"
            }
            if configuration.properties["compression.type"] == nil && configuration.properties["compression.codec"] == nil {
                configuration.properties["compression.type"] = "lz4"
            }
            let sink = try deadLetters.sinkToKafka(configuration) { letter in
                letter.outgoing(pipeline: pipeline)
            }
            sink.onFailure = { [unowned self] error in self.fail("dead-letter topic \(topic): \(error)") }
            deadLetterSink = sink
        } else {
            deadLetters.subscribe(nil) { [unowned self] letter, _ in
                counters.unrouted += 1
                self.logUnrouted(letter)
                return .ready
            }
        }
    }

    /// Without a dead-letter topic, bad records are counted and logged: at most one
    /// line per 10 s, saying how many went unlogged.
    private func logUnrouted(_ letter: DeadLetter) {
        unroutedSinceLog += 1
        let now = loop.now
        if let last = lastUnroutedLog, now - last < .seconds(10) { return }
        lastUnroutedLog = now
        logger.warning("bad record (no dead_letter topic configured): \(letter.reason)",
                       metadata: ["topic": "\(letter.source.topic)", "partition": "\(letter.source.partition)",
                                  "offset": "\(letter.source.offset)", "since_last_log": "\(unroutedSinceLog)"])
        unroutedSinceLog = 0
    }

    private func sinkConfiguration(_ topic: String, _ kafka: KafkaSettings) -> KafkaSinkConfiguration {
        var configuration = KafkaSinkConfiguration(bootstrapServers: kafka.bootstrapServers, topic: topic)
        configuration.properties = kafka.properties
        return configuration
    }

    var assignedComponent: String { "pipeline.\(plan.name).assigned" }
    var sinkComponent: String { "pipeline.\(plan.name).sink" }

    /// On the loop.
    private func fail(_ message: String) {
        guard failure == nil else { return }
        failure = message
        source.abort()
        health.set(sinkComponent, ready: false, reason: message)
        logger.critical("pipeline failed: \(message)")
        failureSink.yield(message)
    }

    /// Ends `failures`: the pipeline is being shut down on purpose.
    func stopWatching() { failureSink.finish() }
}

struct PipelineSetupError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}

extension EventTimeUnit {
    var streamzUnit: Streamz.EventTimeUnit {
        switch self {
        case .ms: return .milliseconds
        case .s: return .seconds
        case .iso8601: return .iso8601
        }
    }
}
