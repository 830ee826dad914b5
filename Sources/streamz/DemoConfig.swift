/// The demo's pipelines: the README's example config, on the embedded broker, with
/// a short idle close so the last minute's windows land before the demo ends.
enum DemoConfig {
    static let groupID = "streamz-demo"
    static let table = "demo_page_views_per_minute"

    static let yaml = """
        kafka:
          bootstrap_servers: embedded
          group_id: \(groupID)
        postgres:
          url: "${DATABASE_URL}"
        http:
          port: ${STREAMZ_DEMO_HTTP_PORT:-0}
        pipelines:
          - name: enrich
            source:
              topics: [clicks]
              format: json
              event_time: {field: ts, unit: ms}
              watermark: {max_out_of_order: 2s, idle_timeout: 10s}
            steps:
              - filter: "value > 10 && page != '/health'"
              - map:
                  user: user
                  page: page
                  value2: "value * 2"
                  ts: ts
            sink:
              kafka: {topic: clicks-enriched, key: user}
            dead_letter: {topic: clicks-dlq}
          - name: page_views
            source: {topics: [clicks], format: json, event_time: {field: ts, unit: ms}}
            steps:
              - window:
                  kind: tumbling
                  size: 1m
                  grace: 5s
                  key: [page]
                  aggregate: {views: "count()", total: "sum(value)", top: "max(value)"}
                  emit: final
                  close_on_idle: 3s
            sink:
              postgres: {table: \(table)}
            dead_letter: {topic: clicks-dlq}
        """
}
