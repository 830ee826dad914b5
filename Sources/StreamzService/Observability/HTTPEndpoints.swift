import Hummingbird
import Logging

/// The HTTP side of observability: `GET /metrics`, `GET /healthz` and `GET /readyz`.
///
/// `application()` returns a Hummingbird `Application`, which is a swift-service-lifecycle
/// `Service`: put it in the runtime's `ServiceGroup` and it shuts down gracefully with the
/// rest on SIGTERM. The runtime does not create endpoints when the configured port is 0;
/// here port 0 asks the OS for a free port, which `onRunning` reports (tests use that).
public struct HTTPEndpoints: Sendable {
    public typealias App = Application<RouterResponder<BasicRequestContext>>

    /// Prometheus text exposition format 0.0.4, which is what `registry.emit` writes.
    public static let metricsContentType = "text/plain; version=0.0.4; charset=utf-8"

    /// `127.0.0.1` (this host only) or `0.0.0.0` (all interfaces).
    public var host: String
    public var port: Int
    public var metrics: ServiceMetrics
    public var health: HealthState
    /// Hummingbird logs through this; quiet (warning) by default because an info line per
    /// probe or scrape would drown the pipeline's own logs.
    public var logger: Logger

    public init(
        host: String = "127.0.0.1",
        port: Int,
        metrics: ServiceMetrics,
        health: HealthState,
        logger: Logger = HTTPEndpoints.defaultLogger()
    ) {
        self.host = host
        self.port = port
        self.metrics = metrics
        self.health = health
        self.logger = logger
    }

    public static func defaultLogger() -> Logger {
        var logger = Logger(label: "streamz.http")
        logger.logLevel = .warning
        return logger
    }

    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        let metrics = self.metrics
        let health = self.health
        router.get("/metrics") { _, _ in
            Self.text(metrics.exposition(), contentType: Self.metricsContentType)
        }
        // Liveness: answering at all means the process and its event loop are alive.
        router.get("/healthz") { _, _ in
            Self.text("ok")
        }
        router.get("/readyz") { _, _ in
            let readiness = health.readiness
            return readiness.isReady
                ? Self.text("ready")
                : Self.text(readiness.reasons.joined(separator: "\n"), status: .serviceUnavailable)
        }
        return router
    }

    /// The server as a `Service`. `onRunning` receives the port actually bound, which
    /// differs from `port` when that is 0.
    public func application(
        onRunning: @escaping @Sendable (_ boundPort: Int) async -> Void = { _ in }
    ) -> App {
        let requestedPort = port
        return Application(
            router: router(),
            configuration: ApplicationConfiguration(address: .hostname(host, port: port)),
            onServerRunning: { channel in
                await onRunning(channel.localAddress?.port ?? requestedPort)
            },
            logger: logger
        )
    }

    private static func text(
        _ body: String,
        status: HTTPResponse.Status = .ok,
        contentType: String = "text/plain; charset=utf-8"
    ) -> Response {
        Response(
            status: status,
            headers: [.contentType: contentType],
            body: ResponseBody(byteBuffer: ByteBuffer(string: body))
        )
    }
}
