import Streamz

/// A pipeline's operator graph as Graphviz DOT: the nodes `streamz run` builds, in
/// the order records pass them, with the dead-letter edges. What streamz's
/// `visualize()` draws, for a config.
public enum PipelineGraph {
    public static func dot(_ plans: [PipelinePlan]) -> String {
        var lines = ["digraph streamz {", "  rankdir=LR;", "  node [shape=box, fontname=\"Helvetica\"];"]
        for (number, plan) in plans.enumerated() {
            let prefix = "p\(number)_"
            var nodes: [(id: String, label: String)] = []
            let config = plan.config
            nodes.append(("source", "Kafka source\\n\(dotEscaped(config.source.topics.joined(separator: ", ")))\\nformat \(config.source.format.rawValue), start \(config.source.start.rawValue)"))
            nodes.append(("decode", "decode \(config.source.format.rawValue)"))
            if let time = config.source.eventTime {
                nodes.append(("event_time", "event time\\n\(dotEscaped(time.field)) (\(time.unit.rawValue))"))
            } else if plan.window != nil {
                nodes.append(("event_time", "event time\\nKafka timestamp"))
            }
            for (index, step) in plan.steps.enumerated() {
                switch step {
                case .filter(let expression): nodes.append(("step\(index)", "filter\\n\(dotEscaped(expression.text))"))
                case .map(let fields): nodes.append(("step\(index)", "map\\n" + fields.map { "\(dotEscaped($0.name)): \(dotEscaped($0.value.text))" }.joined(separator: "\\n")))
                }
            }
            if let window = plan.window {
                nodes.append(("keys", "window key\\n" + (window.keys.isEmpty ? "(one key)" : dotEscaped(window.keys.map(\.text).joined(separator: ", ")))))
                let columns = window.table.aggregates.map { "\(dotEscaped($0.name)) = \($0.function.rawValue)" }.joined(separator: ", ")
                nodes.append(("window", "\(describe(window.kind)) window, grace \(window.grace)\\nemit \(window.emit.rawValue)\\n\(columns)"))
            }
            switch plan.sink {
            case .kafka(let topic, let key, let headers):
                nodes.append(("sink", "Kafka sink\\n\(dotEscaped(topic))" + (key.map { "\\nkey \(dotEscaped($0.text))" } ?? "")
                                  + (headers == .drop ? "\\nheaders dropped" : "")))
            case .postgres(let table): nodes.append(("sink", "PostgreSQL table\\n\(dotEscaped(table))\\n(exactly once)"))
            }
            lines.append("  subgraph cluster_\(number) {")
            lines.append("    label=\"\(dotEscaped(plan.name))\";")
            for node in nodes {
                lines.append("    \(prefix)\(node.id) [label=\"\(node.label)\"];")
            }
            for (from, to) in zip(nodes, nodes.dropFirst()) {
                lines.append("    \(prefix)\(from.id) -> \(prefix)\(to.id);")
            }
            let deadLetter = config.deadLetter.map { "dead letters\\n\(dotEscaped($0.topic))" } ?? "dead letters\\n(counted and logged)"
            lines.append("    \(prefix)dead_letters [label=\"\(deadLetter)\", shape=note];")
            for node in nodes.dropFirst().dropLast() {
                lines.append("    \(prefix)\(node.id) -> \(prefix)dead_letters [style=dashed];")
            }
            lines.append("  }")
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    private static func describe(_ kind: WindowKind) -> String {
        switch kind {
        case .tumbling(let size): return "tumbling \(size) ms"
        case .hopping(let size, let advance): return "hopping \(size) ms every \(advance) ms"
        case .sliding(let size): return "sliding \(size) ms"
        case .session(let gap): return "session, gap \(gap) ms"
        }
    }

    /// Escapes user text for a DOT string. Labels are composed of escaped pieces
    /// joined by `\n` line breaks, so no user text can end a string early.
    private static func dotEscaped(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "\n", "\r": escaped += "\\n"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
