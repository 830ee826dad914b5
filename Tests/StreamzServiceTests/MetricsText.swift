import Foundation

/// The Prometheus text format, parsed strictly enough to catch a malformed
/// exposition: every sample line is `name{label="value",...} number`, and every
/// sample belongs to a family declared by a TYPE line before it.
struct MetricsText {
    struct Sample {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    private(set) var samples: [Sample] = []
    private(set) var types: [String: String] = [:]

    init(_ text: String) throws {
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            if line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ")
                guard parts.count == 4, ["counter", "gauge", "histogram", "summary", "untyped"].contains(parts[3]) else {
                    throw MetricsTextError("bad TYPE line: \(line)")
                }
                types[String(parts[2])] = String(parts[3])
                continue
            }
            if line.hasPrefix("#") { continue }
            samples.append(try Self.sample(String(line)))
        }
        for sample in samples {
            let family = ["_bucket", "_sum", "_count"].reduce(sample.name) { name, suffix in
                name.hasSuffix(suffix) && types[name] == nil ? String(name.dropLast(suffix.count)) : name
            }
            guard types[family] != nil else { throw MetricsTextError("sample \(sample.name) has no TYPE") }
        }
    }

    func value(_ name: String, _ labels: [String: String]) -> Double? {
        samples.first { sample in
            sample.name == name && labels.allSatisfy { key, value in sample.labels[key] == value }
        }?.value
    }

    func has(_ name: String) -> Bool { samples.contains { $0.name == name } }

    private static func sample(_ line: String) throws -> Sample {
        var characters = Substring(line)
        let name = characters.prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == ":" }
        guard let first = name.first, !first.isNumber else { throw MetricsTextError("bad metric name: \(line)") }
        characters = characters.dropFirst(name.count)
        var labels: [String: String] = [:]
        if characters.first == "{" {
            characters = characters.dropFirst()
            while characters.first != "}" {
                let key = characters.prefix { $0.isLetter || $0.isNumber || $0 == "_" }
                characters = characters.dropFirst(key.count)
                guard !key.isEmpty, characters.hasPrefix("=\"") else { throw MetricsTextError("bad label: \(line)") }
                characters = characters.dropFirst(2)
                var value = ""
                while let character = characters.first, character != "\"" {
                    characters = characters.dropFirst()
                    if character == "\\" {
                        guard let escaped = characters.first else { throw MetricsTextError("bad escape: \(line)") }
                        characters = characters.dropFirst()
                        value.append(escaped == "n" ? "\n" : escaped)
                    } else {
                        value.append(character)
                    }
                }
                guard characters.first == "\"" else { throw MetricsTextError("unterminated label: \(line)") }
                characters = characters.dropFirst()
                labels[String(key)] = value
                if characters.first == "," { characters = characters.dropFirst() }
            }
            characters = characters.dropFirst()
        }
        guard characters.first == " " else { throw MetricsTextError("no value: \(line)") }
        let number = characters.dropFirst().split(separator: " ").first.map(String.init) ?? ""
        guard let value = Double(number) ?? (number == "+Inf" ? .infinity : number == "-Inf" ? -.infinity : nil) else {
            throw MetricsTextError("bad value: \(line)")
        }
        return Sample(name: String(name), labels: labels, value: value)
    }
}

struct MetricsTextError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}
