-- wrk script: POST a job like the load generator does (JSON body, W3C context, correlation id).
wrk.method = "POST"
wrk.body = '{"user_id":"u-bench","preset":"short"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["traceparent"] = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
wrk.headers["X-Correlation-ID"] = "bench-1"
