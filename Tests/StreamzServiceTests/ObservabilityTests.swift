import Dispatch
import Logging
import ServiceLifecycle
import Testing

@testable import StreamzService

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// MARK: - Metrics

@Suite("Observability: metrics")
struct ObservabilityMetricsTests {
    @Test func countersAccumulateDeltasAndRender() throws {
        let metrics = ServiceMetrics()
        let clicks = metrics.pipeline("clicks")
        clicks.add(recordsIn: 5, recordsOut: 3, deadLetters: 1, late: 2)
        clicks.add(recordsIn: 2, recordsOut: 4)
        clicks.add(recordsIn: -7)  // ignored: counters never go down

        let exposition = try Exposition.parse(metrics.exposition())
        let pipeline = ["pipeline": "clicks"]
        #expect(exposition.value("streamz_records_in_total", pipeline) == 7)
        #expect(exposition.value("streamz_records_out_total", pipeline) == 7)
        #expect(exposition.value("streamz_dead_letter_total", pipeline) == 1)
        #expect(exposition.value("streamz_late_records_total", pipeline) == 2)
        #expect(exposition.families["streamz_records_in_total"]?.type == "counter")
        #expect(exposition.families["streamz_records_in_total"]?.help == "Records read from the pipeline's sources.")
    }

    @Test func pipelinesAndServicesAreSeparate() throws {
        let first = ServiceMetrics()
        let second = ServiceMetrics()
        first.pipeline("a").add(recordsIn: 1)
        first.pipeline("b").add(recordsIn: 10)
        first.pipeline("a").add(recordsIn: 1)  // the same instance as before
        second.pipeline("a").add(recordsIn: 100)

        let one = try Exposition.parse(first.exposition())
        let two = try Exposition.parse(second.exposition())
        #expect(first.pipeline("a") === first.pipeline("a"))
        #expect(one.value("streamz_records_in_total", ["pipeline": "a"]) == 2)
        #expect(one.value("streamz_records_in_total", ["pipeline": "b"]) == 10)
        #expect(two.value("streamz_records_in_total", ["pipeline": "a"]) == 100)
        #expect(two.value("streamz_records_in_total", ["pipeline": "b"]) == nil)
    }

    @Test func everyFamilyIsTypedAndHasHelp() throws {
        let metrics = ServiceMetrics()
        let orders = metrics.pipeline("orders")
        orders.add(recordsIn: 1, recordsOut: 1, deadLetters: 0, late: 0)
        orders.setInFlight(12)
        orders.setOpenWindows(3)
        orders.setLag(topic: "orders", partition: 0, lag: 42)
        orders.setCommitted(topic: "orders", partition: 0, offset: 1_000)
        orders.recordSinkLatency(seconds: 0.02)

        let exposition = try Exposition.parse(metrics.exposition())
        let expected: [String: String] = [
            "streamz_records_in_total": "counter",
            "streamz_records_out_total": "counter",
            "streamz_dead_letter_total": "counter",
            "streamz_late_records_total": "counter",
            "streamz_in_flight_records": "gauge",
            "streamz_open_windows": "gauge",
            "streamz_consumer_lag": "gauge",
            "streamz_committed_offset": "gauge",
            "streamz_sink_latency_seconds": "histogram",
        ]
        #expect(exposition.families.mapValues { $0.type } == expected)
        for (name, family) in exposition.families {
            #expect(!(family.help ?? "").isEmpty, "\(name) has no HELP")
            #expect(family.samples.allSatisfy { $0.labels["pipeline"] == "orders" }, "\(name)")
        }
        #expect(exposition.value("streamz_in_flight_records", ["pipeline": "orders"]) == 12)
        #expect(exposition.value("streamz_open_windows", ["pipeline": "orders"]) == 3)
        let partition = ["pipeline": "orders", "topic": "orders", "partition": "0"]
        #expect(exposition.value("streamz_consumer_lag", partition) == 42)
        #expect(exposition.value("streamz_committed_offset", partition) == 1_000)
    }

    @Test func labelValuesAreEscaped() throws {
        let awkward = "we\"ird\\pipe\nline"
        let metrics = ServiceMetrics()
        metrics.pipeline(awkward).add(recordsIn: 9)
        metrics.pipeline(awkward).setLag(topic: "t\"1", partition: 2, lag: 5)

        let text = metrics.exposition()
        #expect(text.contains(#"pipeline="we\"ird\\pipe\nline""#))
        let exposition = try Exposition.parse(text)
        #expect(exposition.value("streamz_records_in_total", ["pipeline": awkward]) == 9)
        #expect(exposition.value("streamz_consumer_lag", ["pipeline": awkward, "topic": "t\"1", "partition": "2"]) == 5)
    }

    @Test func sinkLatencyBucketsAreCumulative() throws {
        let metrics = ServiceMetrics()
        let sink = metrics.pipeline("sink")
        for seconds in [0.0003, 0.003, 0.3, 3, 30] {
            sink.recordSinkLatency(seconds: seconds)
        }
        sink.recordSinkLatency(.milliseconds(40))

        let exposition = try Exposition.parse(metrics.exposition())
        let family = try #require(exposition.families["streamz_sink_latency_seconds"])
        let buckets = family.samples
            .filter { $0.name == "streamz_sink_latency_seconds_bucket" }
            .map { (le: $0.labels["le"]!, count: $0.value) }
        let bounds = buckets.map(\.le).filter { $0 != "+Inf" }.compactMap(Double.init)
        #expect(bounds.first == 0.0005)
        #expect(bounds.last == 10)
        #expect(bounds == bounds.sorted())
        let countAt = Dictionary(uniqueKeysWithValues: buckets.map { (Double($0.le) ?? .infinity, $0.count) })
        #expect(countAt[0.0005] == 1)
        #expect(countAt[0.005] == 2)
        #expect(countAt[0.05] == 3)
        #expect(countAt[0.5] == 4)
        #expect(countAt[5] == 5)
        #expect(countAt[10] == 5)
        #expect(countAt[.infinity] == 6)
        let pipeline = ["pipeline": "sink"]
        #expect(exposition.value("streamz_sink_latency_seconds_count", pipeline) == 6)
        let sum = try #require(exposition.value("streamz_sink_latency_seconds_sum", pipeline))
        #expect(abs(sum - 33.3433) < 1e-9)
    }

    @Test func forgettingAPartitionRemovesItsSeries() throws {
        let metrics = ServiceMetrics()
        let p = metrics.pipeline("p")
        p.setLag(topic: "in", partition: 0, lag: 10)
        p.setLag(topic: "in", partition: 1, lag: 20)
        p.setCommitted(topic: "in", partition: 0, offset: 100)
        p.setCommitted(topic: "in", partition: 1, offset: 200)
        p.setLag(topic: "in", partition: 1, lag: 25)

        p.forget(topic: "in", partition: 0)
        var exposition = try Exposition.parse(metrics.exposition())
        #expect(exposition.value("streamz_consumer_lag", ["pipeline": "p", "topic": "in", "partition": "0"]) == nil)
        #expect(exposition.value("streamz_committed_offset", ["pipeline": "p", "topic": "in", "partition": "0"]) == nil)
        #expect(exposition.value("streamz_consumer_lag", ["pipeline": "p", "topic": "in", "partition": "1"]) == 25)
        #expect(exposition.value("streamz_committed_offset", ["pipeline": "p", "topic": "in", "partition": "1"]) == 200)

        // The last series of a family takes the family's HELP and TYPE with it.
        p.forget(topic: "in", partition: 1)
        p.forget(topic: "never", partition: 7)  // unknown partitions are fine
        exposition = try Exposition.parse(metrics.exposition())
        #expect(exposition.families["streamz_consumer_lag"] == nil)
        #expect(exposition.families["streamz_committed_offset"] == nil)

        // A partition assigned again reports afresh.
        p.setLag(topic: "in", partition: 0, lag: 3)
        exposition = try Exposition.parse(metrics.exposition())
        #expect(exposition.value("streamz_consumer_lag", ["pipeline": "p", "topic": "in", "partition": "0"]) == 3)
    }

    @Test func theParserRejectsMalformedExpositions() {
        let bad = [
            "streamz_x 1\n",  // no TYPE
            "# TYPE streamz_x counter\nstreamz_x{a=\"b} 1\n",  // unterminated value
            "# TYPE streamz_x counter\nstreamz_x{a=\"\\q\"} 1\n",  // bad escape
            "# TYPE streamz_x counter\nstreamz_x one\n",  // not a number
            "# TYPE 1x counter\n",  // bad metric name
            "# TYPE streamz_x counter\nstreamz_x{1a=\"b\"} 1\n",  // bad label name
            "# TYPE streamz_x counter\nstreamz_x 1",  // no final newline
            "# TYPE streamz_x counter\n# TYPE streamz_y gauge\nstreamz_x 1\n",  // family not contiguous
            "# TYPE streamz_h histogram\nstreamz_h_bucket{le=\"1\"} 2\nstreamz_h_bucket{le=\"+Inf\"} 1\nstreamz_h_sum 1\nstreamz_h_count 1\n",
        ]
        for text in bad {
            #expect(throws: Exposition.Malformed.self, "\(text)") { try Exposition.parse(text) }
        }
    }
}

// MARK: - Readiness

@Suite("Observability: readiness")
struct ObservabilityReadinessTests {
    @Test func readinessFollowsEveryComponent() {
        let health = HealthState()
        #expect(health.report.ready == false)
        #expect(health.report.reasons == ["starting"])
        #expect(health.readiness == .starting)

        let assigned = HealthState.assignedComponent(pipeline: "clicks")
        let sink = HealthState.sinkComponent(pipeline: "clicks")
        #expect(assigned == "pipeline.clicks.assigned")
        #expect(sink == "pipeline.clicks.sink")

        health.set(assigned, ready: false, reason: "waiting for partitions")
        health.set(sink, ready: true, reason: nil)
        #expect(health.report.ready == false)
        #expect(health.report.reasons == ["pipeline.clicks.assigned: waiting for partitions"])

        health.set(assigned, ready: true, reason: nil)
        #expect(health.report.ready == true)
        #expect(health.report.reasons.isEmpty)

        health.set(sink, ready: false, reason: "connection refused")
        health.set(assigned, ready: false, reason: nil)
        #expect(health.report.ready == false)
        #expect(health.report.reasons == [
            "pipeline.clicks.assigned: not ready",
            "pipeline.clicks.sink: connection refused",
        ])

        health.remove(assigned)
        health.set(sink, ready: true, reason: nil)
        #expect(health.report.ready == true)
        health.remove(sink)
        #expect(health.readiness == .starting)
    }
}

// MARK: - HTTP

@Suite("Observability: HTTP endpoints")
struct ObservabilityHTTPTests {
    @Test func endpointsServeMetricsHealthAndReadiness() async throws {
        let metrics = ServiceMetrics()
        let health = HealthState()
        metrics.pipeline("clicks").add(recordsIn: 3, recordsOut: 2, deadLetters: 0, late: 0)
        let endpoints = HTTPEndpoints(host: "127.0.0.1", port: 0, metrics: metrics, health: health)
        #expect(endpoints.logger.logLevel == .warning)

        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let app = endpoints.application { port in portContinuation.yield(port) }
        var quiet = Logger(label: "test.service-group")
        quiet.logLevel = .warning
        let group = ServiceGroup(services: [app], logger: quiet)

        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask {
                // Finishing the stream also unblocks the wait below if the server fails to start.
                defer { portContinuation.finish() }
                try await group.run()
            }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            #expect(port > 0)

            let scrape = try await HTTPGet.fetch("/metrics", port: port)
            #expect(scrape.status == 200)
            #expect(scrape.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8")
            let exposition = try Exposition.parse(scrape.body)
            #expect(exposition.value("streamz_records_in_total", ["pipeline": "clicks"]) == 3)

            let alive = try await HTTPGet.fetch("/healthz", port: port)
            #expect(alive.status == 200)
            #expect(alive.body == "ok")

            let starting = try await HTTPGet.fetch("/readyz", port: port)
            #expect(starting.status == 503)
            #expect(starting.body == "starting")

            health.set("pipeline.clicks.assigned", ready: false, reason: "waiting for partitions")
            health.set("pipeline.clicks.sink", ready: false, reason: "connection refused")
            let notReady = try await HTTPGet.fetch("/readyz", port: port)
            #expect(notReady.status == 503)
            #expect(notReady.body.split(separator: "\n") == [
                "pipeline.clicks.assigned: waiting for partitions",
                "pipeline.clicks.sink: connection refused",
            ])

            health.set("pipeline.clicks.assigned", ready: true, reason: nil)
            health.set("pipeline.clicks.sink", ready: true, reason: nil)
            let ready = try await HTTPGet.fetch("/readyz", port: port)
            #expect(ready.status == 200)
            #expect(ready.body == "ready")

            let missing = try await HTTPGet.fetch("/nope", port: port)
            #expect(missing.status == 404)

            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }
}

// MARK: - A strict Prometheus text-format parser

/// Parses the Prometheus text exposition format 0.0.4 and rejects anything a Prometheus
/// server would reject (and some things it merely tolerates): samples without a TYPE,
/// families split apart, bad names, bad escapes, non-numeric values, histograms whose
/// buckets are not cumulative.
private struct Exposition {
    struct Malformed: Error, CustomStringConvertible {
        var line: Int
        var message: String
        var description: String { "line \(line): \(message)" }
    }

    struct Sample {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    struct Family {
        var type: String?
        var help: String?
        var samples: [Sample] = []
    }

    var families: [String: Family] = [:]

    /// The value of the sample called `name` with exactly these labels.
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        families.values.lazy.flatMap(\.samples).first { $0.name == name && $0.labels == labels }?.value
    }

    static func parse(_ text: String) throws -> Exposition {
        var exposition = Exposition()
        var current: String?
        var finished = Set<String>()
        guard text.isEmpty || text.hasSuffix("\n") else { throw Malformed(line: 0, message: "no final newline") }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()

        for (index, line) in lines.enumerated() {
            let number = index + 1
            func fail(_ message: String) -> Malformed { Malformed(line: number, message: "\(message): \(line)") }
            // Opens the family `name`, or continues it if it is the current one.
            func enter(_ name: String) throws {
                guard current != name else { return }
                if let current { finished.insert(current) }
                guard !finished.contains(name), exposition.families[name] == nil else {
                    throw fail("family \(name) is not contiguous")
                }
                exposition.families[name] = Family()
                current = name
            }

            if line.isEmpty { continue }
            if line.hasPrefix("#") {
                let parts = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false)
                guard parts.count >= 3, parts[0] == "#", parts[1] == "HELP" || parts[1] == "TYPE" else {
                    continue  // an ordinary comment
                }
                let name = String(parts[2])
                guard isMetricName(name) else { throw fail("bad metric name") }
                try enter(name)
                if parts[1] == "HELP" {
                    guard exposition.families[name]!.help == nil else { throw fail("second HELP") }
                    exposition.families[name]!.help = try unescape(parts.count > 3 ? parts[3] : "", quotes: false)
                        ?? { throw fail("bad escape in HELP") }()
                } else {
                    guard parts.count == 4,
                        ["counter", "gauge", "histogram", "summary", "untyped"].contains(parts[3])
                    else { throw fail("bad TYPE") }
                    guard exposition.families[name]!.type == nil, exposition.families[name]!.samples.isEmpty else {
                        throw fail("TYPE repeated or after samples")
                    }
                    exposition.families[name]!.type = String(parts[3])
                }
                continue
            }

            let sample = try parseSample(Substring(line)) ?? { throw fail("malformed sample") }()
            guard let current, let family = exposition.families[current], let type = family.type else {
                throw fail("sample without a TYPE")
            }
            let allowed: [String] =
                switch type {
                case "histogram": [current + "_bucket", current + "_sum", current + "_count"]
                case "summary": [current, current + "_sum", current + "_count"]
                default: [current]
                }
            guard allowed.contains(sample.name) else { throw fail("sample outside its family \(current)") }
            if sample.name == current + "_bucket" && sample.labels["le"] == nil { throw fail("bucket without le") }
            exposition.families[current]!.samples.append(sample)
        }

        for (name, family) in exposition.families where family.type == "histogram" {
            try checkHistogram(name, family)
        }
        return exposition
    }

    /// Buckets per series rise with `le`, end in `+Inf`, and `+Inf` equals `_count`.
    private static func checkHistogram(_ name: String, _ family: Family) throws {
        func series(_ labels: [String: String]) -> [String: String] { labels.filter { $0.key != "le" } }
        let bad = { (message: String) in Malformed(line: 0, message: "\(name): \(message)") }
        var buckets: [[String: String]: [(le: Double, count: Double)]] = [:]
        for sample in family.samples where sample.name == name + "_bucket" {
            guard let le = parseValue(sample.labels["le"]![...]) else { throw bad("bad le") }
            buckets[series(sample.labels), default: []].append((le, sample.value))
        }
        for (labels, series) in buckets {
            let sorted = series.sorted { $0.le < $1.le }
            for (lower, upper) in zip(sorted, sorted.dropFirst()) where upper.count < lower.count {
                throw bad("buckets not cumulative at le=\(upper.le)")
            }
            guard let last = sorted.last, last.le == .infinity else { throw bad("no +Inf bucket") }
            let count = family.samples.first { $0.name == name + "_count" && $0.labels == labels }
            guard count?.value == last.count else { throw bad("+Inf bucket differs from _count") }
            guard family.samples.contains(where: { $0.name == name + "_sum" && $0.labels == labels }) else {
                throw bad("no _sum")
            }
        }
    }

    /// `name{label="value",...} value [timestamp]`
    private static func parseSample(_ line: Substring) throws -> Sample? {
        var rest = line[...]
        let name = String(rest.prefix { $0 != "{" && $0 != " " })
        guard isMetricName(name) else { return nil }
        rest = rest.dropFirst(name.count)
        var labels: [String: String] = [:]
        if rest.first == "{" {
            rest = rest.dropFirst()
            while rest.first != "}" {
                let label = String(rest.prefix { $0 != "=" })
                guard isLabelName(label), !label.hasPrefix("__"), labels[label] == nil else { return nil }
                rest = rest.dropFirst(label.count)
                guard rest.hasPrefix("=\"") else { return nil }
                rest = rest.dropFirst(2)
                // The value runs to the first quote that is not escaped.
                var raw = Substring()
                var escaped = false
                while let character = rest.first, escaped || character != "\"" {
                    escaped = !escaped && character == "\\"
                    raw.append(character)
                    rest = rest.dropFirst()
                }
                guard rest.first == "\"", let value = unescape(raw, quotes: true) else { return nil }
                labels[label] = value
                rest = rest.dropFirst()
                if rest.first == "," { rest = rest.dropFirst() } else if rest.first != "}" { return nil }
            }
            rest = rest.dropFirst()
        }
        guard rest.first == " " else { return nil }
        let fields = rest.split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count == 1 || fields.count == 2, let value = parseValue(fields[0]) else { return nil }
        if fields.count == 2 && Int64(fields[1]) == nil { return nil }
        return Sample(name: name, labels: labels, value: value)
    }

    /// Decimal floats, `+Inf`, `-Inf` and `NaN`, as Prometheus writes them.
    private static func parseValue(_ text: Substring) -> Double? {
        switch text {
        case "+Inf": return .infinity
        case "-Inf": return -.infinity
        case "NaN": return .nan
        default:
            let decimal = text.allSatisfy { $0.isASCII && ($0.isNumber || "+-.eE".contains($0)) }
            return decimal ? Double(text) : nil
        }
    }

    /// HELP text may escape `\\` and `\n`; label values also `\"`.
    private static func unescape(_ text: Substring, quotes: Bool) -> String? {
        var result = ""
        var iterator = text.makeIterator()
        while let character = iterator.next() {
            guard character == "\\" else {
                if quotes && character == "\"" { return nil }
                result.append(character)
                continue
            }
            switch iterator.next() {
            case "\\": result.append("\\")
            case "n": result.append("\n")
            case "\"" where quotes: result.append("\"")
            default: return nil
            }
        }
        return result
    }

    private static func isMetricName(_ name: String) -> Bool {
        isName(name, extra: ":")
    }

    private static func isLabelName(_ name: String) -> Bool {
        isName(name, extra: "")
    }

    private static func isName(_ name: String, extra: String) -> Bool {
        guard let first = name.first, first.isASCII, first.isLetter || first == "_" || extra.contains(first) else {
            return false
        }
        return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || extra.contains($0)) }
    }
}

// MARK: - A tiny blocking HTTP/1.1 client

/// `GET` over a plain loopback socket, run on a Dispatch thread so that the blocking
/// calls never occupy the cooperative pool the server's tasks need.
private enum HTTPGet {
    struct Response {
        var status: Int
        var headers: [String: String]
        var body: String
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func fetch(_ path: String, port: Int) async throws -> Response {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try fetchBlocking(path, port: port) })
            }
        }
    }

    private static func fetchBlocking(_ path: String, port: Int) throws -> Response {
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw Failure(description: "socket: errno \(errno)") }
        defer { close(fd) }

        // Never hang a test run on a server that does not answer.
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        _ = setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))

        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port)).bigEndian
        address.sin_addr.s_addr = in_addr_t(0x7F00_0001).bigEndian  // 127.0.0.1
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw Failure(description: "connect: errno \(errno)") }

        let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n\r\n".utf8)
        var sent = 0
        while sent < request.count {
            let n = request[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { throw Failure(description: "send: errno \(errno)") }
            sent += n
        }

        // `Connection: close`: the response ends when the server closes.
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n == 0 { break }
            guard n > 0 else { throw Failure(description: "recv: errno \(errno)") }
            received += chunk[..<n]
        }
        return try parse(received)
    }

    private static func parse(_ bytes: [UInt8]) throws -> Response {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        guard let end = (0...max(0, bytes.count - 4)).first(where: { Array(bytes[$0..<min($0 + 4, bytes.count)]) == separator })
        else { throw Failure(description: "no end of headers") }
        let head = String(decoding: bytes[..<end], as: UTF8.self).split(separator: "\r\n", omittingEmptySubsequences: false)
        let statusLine = head[0].split(separator: " ")
        guard statusLine.count >= 2, statusLine[0] == "HTTP/1.1", let status = Int(statusLine[1]) else {
            throw Failure(description: "bad status line \(head[0])")
        }
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { throw Failure(description: "bad header \(line)") }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingSpaces()
        }
        var body = Array(bytes[(end + 4)...])
        if headers["transfer-encoding"] == "chunked" {
            body = try dechunk(body)
        } else if let length = headers["content-length"].flatMap(Int.init) {
            guard body.count == length else { throw Failure(description: "body \(body.count) != \(length)") }
        }
        return Response(status: status, headers: headers, body: String(decoding: body, as: UTF8.self))
    }

    private static func dechunk(_ bytes: [UInt8]) throws -> [UInt8] {
        var result: [UInt8] = []
        var rest = bytes[...]
        while true {
            guard let lineEnd = rest.firstIndex(of: UInt8(ascii: "\r")),
                let size = Int(String(decoding: rest[..<lineEnd], as: UTF8.self), radix: 16)
            else { throw Failure(description: "bad chunk size") }
            rest = rest[(lineEnd + 2)...]
            if size == 0 { return result }
            result += rest.prefix(size)
            rest = rest.dropFirst(size + 2)
        }
    }
}

extension Substring {
    fileprivate func trimmingSpaces() -> String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
