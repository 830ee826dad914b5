// Clocks and CPU counters for StreamzWindowToPostgres: wall time, this process's CPU
// (getrusage), its threads' CPU (/proc/self/task) and a PostgreSQL backend's CPU
// (/proc/PID/schedstat, when the server runs on this machine as it does here).
import Foundation

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

/// CPU seconds per thread (from /proc/self/task), for the stderr breakdown.
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

    /// Threads that used at least 0.01 CPU-s per 1M records over the span, busiest first.
    static func report(from start: ThreadTimes, to end: ThreadTimes, count: Int) -> String {
        let scale = 1_000_000 / Double(count)
        return end.byThread.map { thread -> (String, Double, Double) in
            let before = start.byThread.first { $0.tid == thread.tid }
            return ("\(thread.name)/\(thread.tid)", (thread.cpu - (before?.cpu ?? 0)) * scale,
                    (thread.system - (before?.system ?? 0)) * scale)
        }
        .filter { $0.1 >= 0.01 }
        .sorted { $0.1 > $1.1 }
        .map { String(format: "%@=%.2f(sys %.2f)", $0.0, $0.1, $0.2) }
        .joined(separator: " ")
    }
}

/// On-CPU seconds of process `pid` from /proc/PID/schedstat (nanoseconds), nil when
/// it is not visible from here.
func processCPU(_ pid: Int) -> Double? {
    guard pid > 0, let text = try? String(contentsOfFile: "/proc/\(pid)/schedstat", encoding: .utf8),
          let first = text.split(separator: " ").first, let nanoseconds = Double(first) else { return nil }
    return nanoseconds / 1e9
}

func environment(_ name: String) -> String? { ProcessInfo.processInfo.environment[name] }

func environmentInt(_ name: String, _ fallback: Int) -> Int {
    environment(name).flatMap { Int($0) } ?? fallback
}

func log(_ message: String) {
    FileHandle.standardError.write(Data("StreamzWindowToPostgres: \(message)\n".utf8))
}

func fail(_ message: String) -> Never {
    log(message)
    exit(1)
}

/// One JSON object on stdout: the line the script reads.
func printJSON(_ fields: [(String, Any)]) {
    let body = fields.map { name, value -> String in
        switch value {
        case let number as Double: return "\"\(name)\": " + String(format: "%.4f", number)
        case let number as Int: return "\"\(name)\": \(number)"
        case let text as String: return "\"\(name)\": \"\(text)\""
        default: return "\"\(name)\": \"\(value)\""
        }
    }.joined(separator: ", ")
    FileHandle.standardOutput.write(Data("{\(body)}\n".utf8))
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return .nan }
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}
