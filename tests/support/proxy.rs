//! A misbehaving network between the kiosk and nginx: a TCP proxy that cuts responses off
//! after some bytes or trickles them slowly, for the paths it is told to.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

#[derive(Debug, Clone, Copy)]
pub enum Fault {
    /// Send this many bytes of the response (headers included), then drop the connection.
    CutAfter(usize),
    /// Send `chunk` bytes, wait `pause`, repeat.
    Trickle { chunk: usize, pause: Duration },
}

pub struct Proxy {
    pub port: u16,
}

impl Proxy {
    /// Proxies to 127.0.0.1:`upstream`; requests whose path contains `pattern` get `fault`.
    pub fn start(upstream: u16, pattern: &'static str, fault: Fault) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                std::thread::spawn(move || {
                    let _ = relay(client, upstream, pattern, fault);
                });
            }
        });
        Proxy { port }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }
}

/// One request per connection (`Connection: close` both ways keeps it simple).
fn relay(mut client: TcpStream, upstream: u16, pattern: &str, fault: Fault) -> std::io::Result<()> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if client.read(&mut byte)? == 0 {
            return Ok(());
        }
        head.push(byte[0]);
    }
    let text = String::from_utf8_lossy(&head).into_owned();
    let faulty = text.lines().next().unwrap_or_default().contains(pattern);
    let request: String = text
        .split("\r\n")
        .filter(|l| !l.to_ascii_lowercase().starts_with("connection:"))
        .take_while(|l| !l.is_empty())
        .map(|l| format!("{l}\r\n"))
        .collect::<String>()
        + "Connection: close\r\n\r\n";
    let mut server = TcpStream::connect(("127.0.0.1", upstream))?;
    server.write_all(request.as_bytes())?;
    let mut response = Vec::new();
    server.read_to_end(&mut response)?;
    match (faulty, fault) {
        (false, _) => client.write_all(&response)?,
        (true, Fault::CutAfter(n)) => {
            client.write_all(&response[..n.min(response.len())])?;
            client.shutdown(std::net::Shutdown::Both)?;
        }
        (true, Fault::Trickle { chunk, pause }) => {
            for part in response.chunks(chunk) {
                client.write_all(part)?;
                client.flush()?;
                std::thread::sleep(pause);
            }
        }
    }
    Ok(())
}
