import Streamz
import StreamzPostgres

/// A pipeline's config, compiled: expressions parsed, the window's table and value
/// inputs laid out. `streamz validate`, `graph` and `run` all build it, so whatever
/// `run` would reject, `validate` rejects first, with the file, line and field.
public struct PipelinePlan: Sendable {
    public enum Step: Sendable {
        case filter(Expression)
        case map([(name: String, value: Expression)])
    }

    public struct Window: Sendable {
        public var kind: WindowKind
        public var grace: Duration
        public var keys: [Expression]
        public var table: WindowTable
        /// The distinct aggregate arguments, in input order (`AggregateColumn.input`).
        public var inputs: [Expression]
        public var emit: TableEmitMode
        public var closeOnIdle: Duration?
    }

    public enum Sink: Sendable {
        case kafka(topic: String, key: Expression?, headers: HeaderPolicy)
        case postgres(table: String)
    }

    public let config: PipelineConfig
    public var name: String { config.name }
    public let eventTime: Expression?
    public let steps: [Step]
    public let window: Window?
    public let sink: Sink

    public init(_ config: PipelineConfig, file: String, hasPostgres: Bool) throws(ConfigError) {
        let field = "pipelines[\(config.name)]"
        func fail(_ message: String, _ at: String, line: Int? = nil) -> ConfigError {
            ConfigError(file: file, line: line ?? config.line, column: nil, field: at, message: message)
        }
        self.config = config
        if let time = config.source.eventTime {
            eventTime = try Self.compile(ExpressionText(text: time.field, line: config.line, column: 1,
                                                        field: "\(field).source.event_time.field"), file: file)
        } else {
            eventTime = nil
        }
        if config.source.format == .bytes, !config.steps.isEmpty {
            throw fail("format 'bytes' has no fields for steps to read: use json or text", "\(field).steps")
        }
        var steps: [Step] = []
        var window: Window?
        for step in config.steps {
            switch step {
            case .filter(let text):
                steps.append(.filter(try Self.compile(text, file: file)))
            case .map(let fields):
                var compiled: [(name: String, value: Expression)] = []
                for field in fields { compiled.append((field.name, try Self.compile(field.expression, file: file))) }
                steps.append(.map(compiled))
            case .window(let spec):
                window = try Self.window(spec, table: config.sink, pipeline: config, file: file)
            }
        }
        self.steps = steps
        self.window = window
        switch config.sink {
        case .kafka(let topic, let key, let headers):
            var compiledKey: Expression?
            if let key { compiledKey = try Self.compile(key, file: file) }
            sink = .kafka(topic: topic, key: compiledKey, headers: headers)
            if window != nil, !hasPostgres {
                throw fail("a window needs postgres.url: PostgreSQL holds its state and offsets, even when its rows go to Kafka",
                           "\(field).sink.kafka")
            }
        case .postgres(let table):
            sink = .postgres(table: table)
        }
    }

    /// What a JSON parse of this pipeline's input must build: the top-level members
    /// that expressions read from the decoded record (event time, the steps up to the
    /// first `map`, which builds a new record, and, without a map, the sink key and
    /// the window's keys and inputs). Nothing else ever reads the parsed record: an
    /// unchanged record is written as its original bytes, and dead letters carry those.
    var decodedFields: JSONProjection {
        var keys: [String] = eventTime?.topLevelKeys ?? []
        var mapped = false
        for step in steps where !mapped {
            switch step {
            case .filter(let expression):
                keys += expression.topLevelKeys
            case .map(let fields):
                for field in fields { keys += field.value.topLevelKeys }
                mapped = true
            }
        }
        if !mapped {
            if case .kafka(_, let key?, _) = sink { keys += key.topLevelKeys }
            if let window { for expression in window.keys + window.inputs { keys += expression.topLevelKeys } }
        }
        return JSONProjection(keys: keys)
    }

    static func compile(_ text: ExpressionText, file: String) throws(ConfigError) -> Expression {
        do {
            return try Expression.parse(text.text)
        } catch {
            throw ConfigError(file: file, line: text.line, column: text.column, field: text.field,
                              message: "in '\(text.text)': \(error)")
        }
    }

    private static func window(_ spec: WindowStepConfig, table sink: SinkConfig, pipeline: PipelineConfig,
                               file: String) throws(ConfigError) -> Window {
        let at = "pipelines[\(pipeline.name)].steps.window"
        func fail(_ message: String, line: Int? = nil) -> ConfigError {
            ConfigError(file: file, line: line ?? pipeline.line, column: nil, field: at, message: message)
        }
        let kind: WindowKind
        switch spec.kind {
        case .tumbling: kind = .tumbling(spec.size ?? .zero)
        case .hopping(let advance): kind = .hopping(spec.size ?? .zero, advance: advance)
        case .sliding: kind = .sliding(spec.size ?? .zero)
        case .session(let gap): kind = .session(gap: gap)
        }
        do { try kind.validate() } catch { throw fail("\(error)") }

        var keyColumns: [String] = []
        var keys: [Expression] = []
        for text in spec.key {
            keys.append(try compile(text, file: file))
            guard let column = columnName(for: text.text) else {
                throw ConfigError(file: file, line: text.line, column: text.column, field: text.field,
                                  message: "a window key must be a field path (like page or user.id), got '\(text.text)'")
            }
            keyColumns.append(column)
        }
        var inputs: [Expression] = []
        var columns: [AggregateColumn] = []
        for aggregate in spec.aggregate {
            let call: AggregateCall
            do {
                call = try AggregateCall.parse(aggregate.call.text)
            } catch {
                throw ConfigError(file: file, line: aggregate.call.line, column: aggregate.call.column,
                                  field: aggregate.call.field, message: "in '\(aggregate.call.text)': \(error)")
            }
            guard let function = AggregateFunction(rawValue: call.function.rawValue) else {
                throw fail("unsupported aggregate '\(call.function.rawValue)'", line: aggregate.call.line)
            }
            var input = 0
            if let argument = call.argument {
                if let existing = inputs.firstIndex(where: { $0.text == argument.text }) {
                    input = existing
                } else {
                    guard inputs.count < ColumnAggregation.maxInputs else {
                        throw ConfigError(file: file, line: aggregate.call.line, column: aggregate.call.column,
                                          field: aggregate.call.field,
                                          message: "a window aggregates at most \(ColumnAggregation.maxInputs) distinct arguments")
                    }
                    inputs.append(argument)
                    input = inputs.count - 1
                }
            }
            columns.append(AggregateColumn(aggregate.name, function, input: input))
        }
        let tableName: String
        switch sink {
        case .postgres(let table): tableName = table
        case .kafka: tableName = "\(pipeline.name)_window"  // the columns only; no table is written
        }
        let table: WindowTable
        do {
            table = try WindowTable(name: tableName, keyColumns: keyColumns, aggregates: columns)
        } catch {
            throw fail("\(error)")
        }
        let emit: TableEmitMode = spec.emit == .update ? .update : .final
        if case .session = kind, emit == .update { throw fail("session windows cannot emit updates: their rows move as sessions merge") }
        return Window(kind: kind, grace: spec.grace, keys: keys, table: table, inputs: inputs, emit: emit,
                      closeOnIdle: spec.closeOnIdle)
    }

    /// `page` → page, `user.id` → user_id, `tags[0]` → tags_0; nil for anything else.
    static func columnName(for path: String) -> String? {
        var name = ""
        for character in path {
            switch character {
            case "a"..."z", "A"..."Z", "0"..."9", "_": name.append(character)
            case ".", "[": name.append("_")
            case "]": continue
            default: return nil
            }
        }
        guard let first = name.first, !first.isNumber, name.count <= 63 else { return nil }
        return name
    }
}

extension ServiceConfig {
    /// Every pipeline compiled; the first problem as a ConfigError.
    public func plans() throws(ConfigError) -> [PipelinePlan] {
        var plans: [PipelinePlan] = []
        for pipeline in pipelines {
            plans.append(try PipelinePlan(pipeline, file: file, hasPostgres: postgres != nil))
        }
        return plans
    }
}
