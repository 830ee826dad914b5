// Kafka passthrough with Streamz: KafkaSource(IN) → sinkToKafka(OUT), timed like the raw
// librdkafka program in Benchmarks/c/passthrough.c (`pass` mode), so the two can be compared
// in one run (scripts/bench-passthrough.sh).
//
//   StreamzPassthrough BOOTSTRAP IN OUT GROUP COUNT [key=value ...]
//
// The key=value properties go to both the consumer (KafkaSource) and the producer
// (KafkaSink), unchanged. The span runs from the first consumed record (when the sink's
// encode closure first sees it, synchronously inside the source's emit) to the delivery
// report that completes the COUNT-th delivery (KafkaSink.whenDrained after the COUNT-th
// record was handed over, i.e. the moment `delivered == COUNT`). CPU is getrusage(SELF)
// user+sys over the same span. Prints one JSON line on stdout:
//   {"msgs": N, "seconds": S, "msgs_per_s": R, "cpu_s_per_million": C}
// Diagnostics go to stderr.
//
// Environment:
//   STREAMZ_MAX_IN_FLIGHT_RECORDS  source bound (default 200000)
//   STREAMZ_MAX_IN_FLIGHT_BYTES    source bound (default 268435456, 256 MiB)
//   STREAMZ_WARMUP=0               skip the warm-up record (see below)
//   PASS_TIMEOUT                   seconds before giving up (default 300)
//
// Warm-up: the C program fetches OUT's metadata before it starts. The sink has no public
// metadata call, so before starting the source one record ("warm-up", no key) is emitted
// into the sink by hand and its delivery awaited: the producer then has OUT's metadata and
// a connection, and the timed records do not wait for them. It is not counted.
import Foundation
import Streamz
import StreamzKafka

#if canImport(Glibc)
import Glibc
#endif

struct Sample {
    let wall: Double  // seconds, CLOCK_MONOTONIC
    let cpu: Double   // seconds, user + system, whole process

    static func now() -> Sample {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        let cpu = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
        return Sample(wall: Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9, cpu: cpu)
    }
}

/// CPU seconds per thread (from /proc/self/task), for the stderr breakdown: which
/// thread burns what over the timed span.
struct ThreadTimes {
    var byThread: [(tid: Int, name: String, cpu: Double, system: Double)] = []

    static func now() -> ThreadTimes {
        var result = ThreadTimes()
        let tick = Double(sysconf(Int32(_SC_CLK_TCK)))
        guard let tasks = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task") else { return result }
        for task in tasks {
            guard let tid = Int(task), let stat = try? String(contentsOfFile: "/proc/self/task/\(task)/stat", encoding: .utf8),
                  let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")") else { continue }
            let name = String(stat[stat.index(after: open)..<close])
            // After ") ": state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime
            let fields = stat[stat.index(close, offsetBy: 2)...].split(separator: " ")
            guard fields.count > 12, let utime = Double(fields[11]), let stime = Double(fields[12]) else { continue }
            result.byThread.append((tid, name, (utime + stime) / tick, stime / tick))
        }
        return result
    }

    static func report(from start: ThreadTimes, to end: ThreadTimes, count: Int) -> String {
        end.byThread.sorted { $0.tid < $1.tid }.map { thread in
            let before = start.byThread.first { $0.tid == thread.tid }
            let scale = 1_000_000 / Double(count)
            return "\(thread.name)/\(thread.tid)=" + String(format: "%.2f(sys %.2f)", (thread.cpu - (before?.cpu ?? 0)) * scale,
                                                               (thread.system - (before?.system ?? 0)) * scale)
        }.joined(separator: " ")
    }
}

/// Lives on the loop thread: every member is touched only there.
final class Probe {
    let count: Int
    var armed = false
    var seen = 0
    var first: Sample?
    var firstThreads = ThreadTimes()
    var endThreads = ThreadTimes()
    var sink: KafkaSink<KafkaRecord>?
    var continuation: CheckedContinuation<(Sample, Sample, Int), Never>?

    init(count: Int) { self.count = count }

    /// Called from the sink's encode closure, once per record, inside the source's emit.
    @inline(__always)
    func saw() {
        guard armed else { return }
        seen += 1
        if seen == 1 {
            first = Sample.now()
            firstThreads = ThreadTimes.now()
        }
        if seen == count { whenAllDelivered() }
    }

    /// The COUNT-th record is in the sink's in-flight table now (the sink registers it
    /// before encoding), so "drained" is "the last delivery report arrived".
    private func whenAllDelivered() {
        guard let sink else { return }
        sink.whenDrained().whenReady { [self] in
            let end = Sample.now()
            endThreads = ThreadTimes.now()
            continuation?.resume(returning: (first!, end, sink.delivered))
            continuation = nil
        }
    }
}

func environment(_ name: String) -> String? { ProcessInfo.processInfo.environment[name] }

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("StreamzPassthrough: \(message)\n".utf8))
    exit(1)
}

func run() async throws {
    let arguments = CommandLine.arguments
    guard arguments.count >= 6, let count = Int(arguments[5]), count > 0 else {
        fail("usage: StreamzPassthrough BOOTSTRAP IN OUT GROUP COUNT [key=value ...]")
    }
    let (bootstrap, input, output, group) = (arguments[1], arguments[2], arguments[3], arguments[4])
    var properties: [String: String] = [:]
    for pair in arguments.dropFirst(6) {
        guard let equals = pair.firstIndex(of: "=") else { fail("not key=value: \(pair)") }
        properties[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
    }
    let maxRecords = environment("STREAMZ_MAX_IN_FLIGHT_RECORDS").flatMap { Int($0) } ?? 200_000
    let maxBytes = environment("STREAMZ_MAX_IN_FLIGHT_BYTES").flatMap { Int($0) } ?? 256 << 20
    let warmUp = environment("STREAMZ_WARMUP") != "0"
    let timeout = environment("PASS_TIMEOUT").flatMap { Double($0) } ?? 300

    let loop = KafkaLoop()
    var sourceConfiguration = KafkaSourceConfiguration(bootstrapServers: bootstrap, groupID: group, topics: [input])
    sourceConfiguration.properties = properties
    sourceConfiguration.maxInFlightRecords = maxRecords
    sourceConfiguration.maxInFlightBytes = maxBytes
    let source = try KafkaSource(sourceConfiguration, loop: loop)

    var sinkConfiguration = KafkaSinkConfiguration(bootstrapServers: bootstrap, topic: output)
    sinkConfiguration.properties = properties
    let probe = Probe(count: count)
    let sink = try source.sinkToKafka(sinkConfiguration) { record in
        probe.saw()
        return KafkaOutgoing(key: record.key, value: record.value)
    }
    await loop.perform { probe.sink = sink }

    if warmUp {
        await loop.perform {
            _ = source.emit(KafkaRecord(topic: output, partition: -1, offset: -1, key: nil, value: Array("warm-up".utf8)))
        }
        let deadline = Date().addingTimeInterval(30)
        while await loop.perform({ sink.delivered }) < 1 {
            if Date() > deadline { fail("the warm-up record was not delivered within 30 s") }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    // Watchdog, on the loop: records missing (mock retention) or a stall would otherwise hang here.
    let watchdog = await loop.perform {
        loop.schedule(after: .seconds(timeout)) {
            fail("timed out after \(timeout) s waiting for \(count) deliveries: consumed \(source.consumed),"
                + " seen \(probe.seen), delivered \(sink.delivered), in flight \(source.inFlightRecords)")
        }
    }

    let (first, end, delivered) = await withCheckedContinuation { continuation in
        loop.execute {
            probe.continuation = continuation
            probe.armed = true
            source.start()
        }
    }
    watchdog.cancel()

    let seconds = end.wall - first.wall
    let cpuPerMillion = (end.cpu - first.cpu) * 1_000_000 / Double(count)
    let line = String(format: "{\"msgs\": %d, \"seconds\": %.4f, \"msgs_per_s\": %.0f, \"cpu_s_per_million\": %.3f}\n",
                      count, seconds, Double(count) / seconds, cpuPerMillion)
    FileHandle.standardOutput.write(Data(line.utf8))

    let (consumed, peakRecords, peakBytes, failure) = await loop.perform {
        (source.consumed, source.peakInFlightRecords, source.peakInFlightBytes, sink.failure.map { "\($0)" })
    }
    FileHandle.standardError.write(Data(("StreamzPassthrough: consumed \(consumed), delivered \(delivered - (warmUp ? 1 : 0))"
        + " (+\(warmUp ? 1 : 0) warm-up), peak in flight \(peakRecords) records / \(peakBytes) bytes"
        + " (bounds \(maxRecords) / \(maxBytes))" + (failure.map { ", failure: \($0)" } ?? "") + "\n").utf8))

    let threads = await loop.perform { ThreadTimes.report(from: probe.firstThreads, to: probe.endThreads, count: count) }
    FileHandle.standardError.write(Data("StreamzPassthrough: CPU-s per 1M by thread over the span: \(threads)\n".utf8))

    await source.shutdown(timeout: .seconds(10))  // commits once, out of the timed span
    await loop.perform { sink.close() }
    loop.shutdown()
}

do {
    try await run()
} catch {
    fail("\(error)")
}
