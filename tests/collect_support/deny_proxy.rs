//! A tiny HTTP proxy in front of moto that denies every request signed for one region (the
//! SigV4 credential scope names it) with the error AWS returns for a missing permission, and
//! forwards everything else. It makes "one region's calls are denied" real for the built binary,
//! which moto alone cannot do. One request per connection (`Connection: close`).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

#[derive(Debug)]
pub struct DenyProxy {
    pub endpoint: String,
    pub denied: Arc<AtomicUsize>,
}

/// Starts the proxy on a free port; it lives until the test process ends.
pub fn start(upstream: &str, denied_region: &str) -> DenyProxy {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let upstream = upstream.trim_start_matches("http://").to_owned();
    let scope = format!("/{denied_region}/");
    let denied = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&denied);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let upstream = upstream.clone();
            let scope = scope.clone();
            let counter = Arc::clone(&counter);
            std::thread::spawn(move || {
                let _ = handle(stream, &upstream, &scope, &counter);
            });
        }
    });
    DenyProxy { endpoint, denied }
}

fn handle(
    stream: TcpStream,
    upstream: &str,
    scope: &str,
    denied: &AtomicUsize,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut head = Vec::new();
    let mut content_length = 0usize;
    let mut authorization = String::new();
    let mut json = false;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let lower = line.to_ascii_lowercase();
        if let Some(value) = lower.strip_prefix("content-length:") {
            content_length = value.trim().parse().unwrap_or(0);
        }
        if lower.starts_with("authorization:") {
            authorization = line.clone();
        }
        if lower.starts_with("content-type:") && lower.contains("json") {
            json = true;
        }
        if line == "\r\n" {
            break;
        }
        if !lower.starts_with("connection:") {
            head.extend_from_slice(line.as_bytes());
        }
    }
    let mut body = vec![0; content_length];
    reader.read_exact(&mut body)?;
    let mut client = stream;
    if authorization.contains(scope) {
        denied.fetch_add(1, Ordering::Relaxed);
        let (content_type, text) = if json {
            (
                "application/x-amz-json-1.1",
                r#"{"__type":"AccessDeniedException","message":"User is not authorized to perform this action in this region"}"#.to_owned(),
            )
        } else {
            (
                "text/xml",
                "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User is not authorized to perform this action in this region</Message></Error><RequestId>proxy</RequestId></ErrorResponse>".to_owned(),
            )
        };
        let response = format!(
            "HTTP/1.1 403 Forbidden\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
            text.len()
        );
        client.write_all(response.as_bytes())?;
        return client.flush();
    }
    let mut server = TcpStream::connect(upstream)?;
    server.write_all(&head)?;
    server.write_all(b"Connection: close\r\n\r\n")?;
    server.write_all(&body)?;
    server.flush()?;
    let mut response = Vec::new();
    server.read_to_end(&mut response)?;
    // Make sure the client does not reuse this connection.
    let text_end = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or(response.len());
    let head_text = String::from_utf8_lossy(&response[..text_end]).to_ascii_lowercase();
    if !head_text.contains("\r\nconnection:") && text_end < response.len() {
        client.write_all(&response[..text_end])?;
        client.write_all(b"\r\nConnection: close")?;
        client.write_all(&response[text_end..])?;
    } else {
        client.write_all(&response)?;
    }
    client.flush()
}
