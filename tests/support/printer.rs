//! A loopback "printer" on TCP: accepts ESC/POS jobs like a networked receipt printer on port
//! 9100, answers real-time status requests (DLE EOT n) and records each job it acknowledged.
//! It stands in for the physical printer, which cannot run here.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::sync::{Arc, Mutex};
use std::time::Instant;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Behaviour {
    /// Paper loaded, answers every status request.
    Ready,
    /// The paper sensor reports paper end.
    PaperOut,
    /// Accepts connections and bytes, never answers.
    Silent,
}

/// One acknowledged job: its bytes and when its last byte arrived.
pub struct Job {
    pub bytes: Vec<u8>,
    pub received: Instant,
}

pub struct LoopbackPrinter {
    pub addr: SocketAddr,
    pub jobs: Arc<Mutex<Vec<Job>>>,
}

impl LoopbackPrinter {
    pub fn start(behaviour: Behaviour) -> LoopbackPrinter {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let jobs: Arc<Mutex<Vec<Job>>> = Arc::default();
        let log = jobs.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(mut conn) = conn else { continue };
                let log = log.clone();
                std::thread::spawn(move || {
                    let mut pending: Vec<u8> = Vec::new();
                    let mut buf = [0u8; 4096];
                    loop {
                        let n = match conn.read(&mut buf) {
                            Ok(0) | Err(_) => break,
                            Ok(n) => n,
                        };
                        pending.extend_from_slice(&buf[..n]);
                        // Real-time requests are handled as they arrive, wherever they are.
                        while let Some(at) = pending.windows(2).position(|w| w == [0x10, 0x04]) {
                            if pending.len() < at + 3 {
                                break;
                            }
                            let which = pending[at + 2];
                            let job: Vec<u8> = pending.drain(..at).collect();
                            pending.drain(..3);
                            let reply = match (behaviour, which) {
                                (Behaviour::Silent, _) => None,
                                (Behaviour::PaperOut, 4) => Some(0x72),
                                (_, _) => Some(0x12),
                            };
                            if which == 1 && reply.is_some() && !job.is_empty() {
                                log.lock()
                                    .unwrap()
                                    .push(Job { bytes: job, received: Instant::now() });
                            }
                            if let Some(r) = reply {
                                if conn.write_all(&[r]).is_err() {
                                    break;
                                }
                            }
                        }
                    }
                });
            }
        });
        LoopbackPrinter { addr, jobs }
    }

    pub fn url(&self) -> String {
        format!("tcp://{}", self.addr)
    }

    pub fn job_count(&self) -> usize {
        self.jobs.lock().unwrap().len()
    }
}
