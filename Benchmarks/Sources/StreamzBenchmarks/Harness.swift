#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Keeps `value` alive as far as the optimizer can tell.
@inline(never) func blackHole<T>(_ value: T) {}

/// Returns `value` without the optimizer knowing what it is.
@inline(never) func opaque<T>(_ value: T) -> T { value }

/// Process CPU time (all threads), in seconds.
func processCPUSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

struct Options {
    var elements = 10_000_000
    var runs = 7
    var markdownPath: String?

    static func parse(_ arguments: [String]) -> Options {
        var options = Options()
        var rest = arguments.dropFirst()
        func value(for flag: String) -> String {
            guard let value = rest.popFirst() else { fail("\(flag) needs a value") }
            return value
        }
        func positive(_ text: String, _ flag: String) -> Int {
            guard let n = Int(text.filter { $0 != "_" }), n > 0 else {
                fail("\(flag) needs a positive integer, got '\(text)'")
            }
            return n
        }
        while let argument = rest.popFirst() {
            switch argument {
            case "--elements": options.elements = positive(value(for: argument), argument)
            case "--runs": options.runs = positive(value(for: argument), argument)
            case "--markdown": options.markdownPath = value(for: argument)
            case "-h", "--help":
                print("usage: StreamzBenchmarks [--elements N] [--runs R] [--markdown PATH]")
                exit(0)
            default: fail("unknown argument '\(argument)' (try --help)")
            }
        }
        return options
    }

    static func fail(_ message: String) -> Never {
        let line = "StreamzBenchmarks: \(message)\n"
        _ = line.withCString { write(2, $0, strlen($0)) }
        exit(2)
    }
}

/// A benchmark: `make(n)` builds whatever it needs and returns the timed part, which
/// pushes `n` elements through and returns a checksum.
struct Benchmark {
    var name: String
    /// Target for the median, in ns/element.
    var targetNs: Double?
    var make: (Int) -> () -> Int
}

struct Result {
    var name: String
    var medianNs: Double
    var minNs: Double
    var cpuSecondsPerMillion: Double
    var targetNs: Double?
    var checksum: Int
    var melementsPerSecond: Double { 1_000 / medianNs }
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    let mid = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

func measure(_ benchmark: Benchmark, elements n: Int, runs: Int) -> Result {
    blackHole(benchmark.make(max(n / 10, 1))())  // warm-up: page in code, grow the heap
    let clock = ContinuousClock()
    var wall: [Double] = [], cpu: [Double] = []
    var checksum = 0
    for _ in 0..<runs {
        let body = benchmark.make(n)
        let cpuStart = processCPUSeconds()
        let start = clock.now
        checksum = body()
        let elapsed = start.duration(to: clock.now)
        cpu.append(processCPUSeconds() - cpuStart)
        blackHole(checksum)
        let (seconds, attoseconds) = elapsed.components
        wall.append((Double(seconds) * 1e9 + Double(attoseconds) / 1e9) / Double(n))
    }
    return Result(
        name: benchmark.name, medianNs: median(wall), minNs: wall.min()!,
        cpuSecondsPerMillion: median(cpu) / (Double(n) / 1e6),
        targetNs: benchmark.targetNs, checksum: checksum)
}

func fmt(_ value: Double, _ decimals: Int) -> String {
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    let rounded = (value * scale).rounded() / scale
    var text = "\(rounded)"
    if decimals == 0, text.hasSuffix(".0") { text.removeLast(2) }
    if let dot = text.firstIndex(of: "."), decimals > 0 {
        let have = text.distance(from: dot, to: text.endIndex) - 1
        if have < decimals { text += String(repeating: "0", count: decimals - have) }
    }
    return text
}

/// `ratios` maps a benchmark name to (its baseline's name, ratio).
func markdownTable(_ results: [Result], ratios: [String: Double]) -> String {
    var lines = [
        "| benchmark | median ns/element | min ns/element | CPU-s per 1M | Melements/s | ratio to hand loop | target | result |",
        "|---|---:|---:|---:|---:|---:|---:|:---:|",
    ]
    for r in results {
        let ratio = ratios[r.name].map { fmt($0, 1) + "×" } ?? "–"
        let target = r.targetNs.map { "≤ " + fmt($0, 0) + " ns" } ?? "–"
        let verdict = r.targetNs.map { r.medianNs <= $0 ? "PASS" : "FAIL" } ?? "–"
        lines.append(
            "| \(r.name) | \(fmt(r.medianNs, 2)) | \(fmt(r.minNs, 2)) | \(fmt(r.cpuSecondsPerMillion, 4)) "
                + "| \(fmt(r.melementsPerSecond, 1)) | \(ratio) | \(target) | \(verdict) |")
    }
    return lines.joined(separator: "\n") + "\n"
}

func writeFile(_ text: String, to path: String) {
    guard let file = fopen(path, "w") else { Options.fail("cannot write \(path)") }
    fputs(text, file)
    fclose(file)
}
