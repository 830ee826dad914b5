import Testing
@testable import Streamz

struct Reading {
    var key: String
    var value: Double
    var time: Int64
}

@Suite struct WindowOperatorTests {
    private func graph(
        _ kind: WindowKind, grace: Duration = .zero, emit: WindowEmitMode = .final,
        closeOnIdle: Duration? = nil, maxOutOfOrder: Duration = .zero
    ) throws -> (ManualClock, Stream<Reading>, WindowNode<Reading, String, Summary>, ListSink<WindowResult<String, Summary>>, ListSink<LateRecord<Reading>>) {
        let clock = ManualClock()
        let watermarks = Watermarks(maxOutOfOrder: maxOutOfOrder, clock: clock)
        let source = Stream<Reading>(clock: clock)
        let node = try source.withEventTime(watermarks) { $0.time }
            .window(kind, grace: grace, emit: emit, closeOnIdle: closeOnIdle, watermarks: watermarks,
                    key: { $0.key }, value: { $0.value })
        return (clock, source, node, node.sinkToList(), node.late.sinkToList())
    }

    @Test func lateRecordsAreCountedAndSentToTheLateOutput() throws {
        let (_, source, node, out, late) = try graph(.tumbling(.seconds(5)), grace: .seconds(1))
        source.emit(Reading(key: "a", value: 1, time: 1_000))
        source.emit(Reading(key: "a", value: 1, time: 5_500))
        source.emit(Reading(key: "a", value: 1, time: 4_000))  // within grace
        source.emit(Reading(key: "a", value: 1, time: 6_000))  // watermark 6000 closes [0, 5000)
        #expect(out.values.map(\.window.start) == [0])
        #expect(out.values.first?.value.count == 2)
        source.emit(Reading(key: "a", value: 1, time: 4_500))
        #expect(node.lateCount == 1)
        #expect(late.values.map(\.element.time) == [4_500])
        #expect(late.values.first?.reason == .late)
        #expect(late.values.first?.watermark == 6_000)
    }

    @Test func resultsCarryTheWindowEndMinusOneAsEventTime() throws {
        let (_, source, node, _, _) = try graph(.tumbling(.seconds(1)))
        var times: [Int64] = []
        node.sinkAnnotated { _, annotation in times.append(annotation.eventTime) }
        source.emit(Reading(key: "a", value: 1, time: 100))
        source.emit(Reading(key: "a", value: 1, time: 1_000))
        #expect(times == [999])
    }

    @Test func elementsWithoutEventTimeAreRejectedNotDropped() throws {
        let clock = ManualClock()
        let source = Stream<Reading>(clock: clock)
        let node = try source.window(.tumbling(.seconds(1)), key: { $0.key })
        let late = node.late.sinkToList()
        source.emit(Reading(key: "a", value: 1, time: 1))  // no annotation
        #expect(late.values.map(\.reason) == [.missingEventTime])

        let failing = Stream<Reading>(clock: clock)
        let stamped = failing.withEventTime(Watermarks(clock: clock)) { _ in throw EventTimeError.missing }
        let failures = stamped.failures.sinkToList()
        failing.emit(Reading(key: "a", value: 1, time: 1))
        #expect(failures.values.count == 1)
    }

    @Test func updateModeEmitsEveryChangeWithDeltasThenAFinal() throws {
        let (_, source, _, out, _) = try graph(.tumbling(.seconds(1)), emit: .update(throttle: .zero))
        source.emit(Reading(key: "a", value: 2, time: 100))
        source.emit(Reading(key: "a", value: 3, time: 200))
        #expect(out.values.map(\.value.count) == [1, 2])
        #expect(out.values.map { $0.delta?.sum } == [2, 3])
        #expect(out.values.allSatisfy { !$0.isFinal })
        source.emit(Reading(key: "a", value: 5, time: 1_000))
        let final = try #require(out.values.first { $0.isFinal })
        #expect(final.window.start == 0)
        #expect(final.value.sum == 5)
    }

    @Test func updateModeThrottlesOnTheClock() throws {
        let (clock, source, _, out, _) = try graph(.tumbling(.seconds(10)), emit: .update(throttle: .seconds(1)))
        for t: Int64 in [100, 200, 300] { source.emit(Reading(key: "a", value: 1, time: t)) }
        #expect(out.values.isEmpty)
        clock.advance(by: .seconds(1))
        #expect(out.values.map(\.value.count) == [3])
        #expect(out.values.first?.delta?.count == 3)
        source.emit(Reading(key: "a", value: 1, time: 400))
        clock.advance(by: .seconds(1))
        #expect(out.values.map(\.value.count) == [3, 4])
        #expect(out.values.last?.delta?.count == 1)
    }

    @Test func sessionUpdatesRetractTheWindowsTheyReplace() throws {
        let (_, source, _, out, _) = try graph(.session(gap: .seconds(10)), emit: .update(throttle: .zero))
        source.emit(Reading(key: "a", value: 1, time: 0))
        source.emit(Reading(key: "a", value: 1, time: 5_000))
        #expect(out.values.map(\.emission) == [.update, .retraction, .update])
        #expect(out.values.map(\.window) == [
            WindowBounds(start: 0, end: 10_000), WindowBounds(start: 0, end: 10_000), WindowBounds(start: 0, end: 15_000),
        ])
        #expect(out.values.last?.value.count == 2)
    }

    @Test func closeOnIdleEmitsTheLastWindowsOfAQuietStream() throws {
        let (clock, source, node, out, late) = try graph(.tumbling(.seconds(60)), closeOnIdle: .seconds(10))
        source.emit(Reading(key: "a", value: 1, time: 1_000))
        clock.advance(by: .seconds(9))
        #expect(out.values.isEmpty)
        source.emit(Reading(key: "a", value: 1, time: 2_000))  // activity resets the idle timer
        clock.advance(by: .seconds(9))
        #expect(out.values.isEmpty)
        clock.advance(by: .seconds(4))
        #expect(out.values.map(\.value.count) == [2])
        source.emit(Reading(key: "a", value: 1, time: 3_000))
        #expect(node.lateCount == 1, "its window was closed by idleness: late, not double-counted")
        #expect(late.values.count == 1)
    }
}
