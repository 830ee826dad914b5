import Streamz

/// The benchmark bodies. Each builds its graph outside the timed part, then feeds
/// `n` Ints the way a real source does: emit, and count the pending acknowledgements
/// it would have to wait for (none here, but the check is part of the cost).
///
/// The headline sink hands each value to an opaque function, as a sink that writes
/// somewhere does. The "captured var" row shows what a sink that assigns a captured
/// `var` adds: Swift checks exclusive access to it at run time on every call
/// (swift_beginAccess), which is the user closure's cost, not the graph's.
/// Emits 0..<n into `s` the way a real source does, checking each acknowledgement;
/// returns how many were pending (none here, but the check is part of the cost).
@inline(__always) func feed(_ s: Stream<Int>, _ n: Int) -> Int {
    var pending = 0
    for i in 0..<opaque(n) { if case .pending = s.emit(i) { pending += 1 } }
    return pending
}

enum Bodies {
    static let pipelineName = "map → filter → accumulate → sink"
    static let handLoopName = "hand loop (same logic, vectorised)"
    static let handLoopWithSinkName = "hand loop (same logic, same opaque sink call)"

    static func all() -> [Benchmark] { [
        Benchmark(name: pipelineName, targetNs: 15) { n in
            let s = Stream<Int>()
            let sums = s.map { $0 &+ 1 }.filter { $0 & 1 == 0 }.accumulate(0, &+)
            sums.sink { blackHole($0) }
            return { let pending = feed(s, n); return sums.currentState &+ pending }
        },
        Benchmark(name: "  ↳ same, sink writes a captured var", targetNs: nil) { n in
            let s = Stream<Int>()
            var total = 0
            s.map { $0 &+ 1 }.filter { $0 & 1 == 0 }.accumulate(0, &+).sink { total = $0 }
            return { let pending = feed(s, n); return total &+ pending }
        },
        Benchmark(name: handLoopWithSinkName, targetNs: nil) { n in
            return {
                var total = 0
                for i in 0..<opaque(n) {
                    let x = i &+ 1
                    if x & 1 == 0 {
                        total = total &+ x
                        blackHole(total)  // what the graph's sink does with each result
                    }
                }
                return total
            }
        },
        Benchmark(name: handLoopName, targetNs: nil) { n in
            return {
                var total = 0
                for i in 0..<opaque(n) {
                    let x = i &+ 1
                    if x & 1 == 0 { total = total &+ x }
                }
                return total
            }
        },
        Benchmark(name: "partition(100) → sink", targetNs: 30) { n in
            let s = Stream<Int>()
            var count = 0
            s.partition(100).sink { count &+= $0.count }
            return { let pending = feed(s, n); return count &+ pending }
        },
        Benchmark(name: "slidingWindow(2) → sink", targetNs: 30) { n in
            let s = Stream<Int>()
            let sums = s.slidingWindow(2).accumulate(0) { sum, window in sum &+ window[0] &+ window[window.count - 1] }
            sums.sink { blackHole($0) }
            return { let pending = feed(s, n); return sums.currentState &+ pending }
        },
        Benchmark(name: "map → sink (sink writes a captured var)", targetNs: nil) { n in
            let s = Stream<Int>()
            var sum = 0
            s.map { $0 &+ 1 }.sink { sum &+= $0 }
            return { let pending = feed(s, n); return sum &+ pending }
        },
    ] }
}

@main
enum StreamzBenchmarks {
    static func main() {
        let options = Options.parse(CommandLine.arguments)
        print("Streamz benchmarks: \(options.elements) elements × \(options.runs) runs (median, min; CPU = process CPU time)\n")
        var results: [Result] = []
        for benchmark in Bodies.all() + WindowBodies.all() {
            results.append(measure(benchmark, elements: options.elements, runs: options.runs))
        }
        var ratios: [String: Double] = [:]
        if let graph = results.first(where: { $0.name == Bodies.pipelineName }),
           let loop = results.first(where: { $0.name == Bodies.handLoopName }) {
            ratios[graph.name] = graph.medianNs / loop.medianNs
            if let withSink = results.first(where: { $0.name == Bodies.handLoopWithSinkName }) {
                ratios[withSink.name] = graph.medianNs / withSink.medianNs  // shown on the loop's row: graph ÷ loop
            }
            // Same input, same logic: the checksums must agree.
            if graph.checksum != loop.checksum {
                print("WARNING: graph checksum \(graph.checksum) != hand loop checksum \(loop.checksum)")
            }
        }
        ratios.merge(WindowBodies.ratios(results)) { current, _ in current }
        let table = markdownTable(results, ratios: ratios) + "\n" + WindowBodies.memoryTable()
        print(table, terminator: "")
        print("""

            Ratios are the graph's median over the loop's: on the first row against the vectorised
            loop, on the loop rows against that loop. The loop with the opaque sink call does exactly
            what the graph does with each result, so it is the like-for-like baseline.

            """)
        if let path = options.markdownPath { writeFile(table, to: path) }
    }
}
