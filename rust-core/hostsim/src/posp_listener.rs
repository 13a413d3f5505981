//! The POSP's TCP side: worker threads that each accept a connection, serve it, and accept the
//! next. Terminals open a connection per exchange, so a thread started per connection made
//! every exchange pay a thread's start and end (about fifteen system calls) on the answer's
//! path, and a separate accepting thread handing connections over cost a wake-up more.

use crate::exchange::{pause, posp_exchange, Delivery, ServerCtx, Shared};
use std::io::{BufReader, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::Ordering;
use std::sync::{Arc, PoisonError};
use std::time::Duration;
use unipos_net::frame_io::{read_frame, FrameReadError};

/// Workers that wait in `accept` beyond this many end after their connection: enough stay for
/// the next terminals, and a burst of connections does not leave a thread each behind.
const SPARE_ACCEPTORS: usize = 1;

/// The listener and the workers waiting on it.
struct Pool {
    listener: TcpListener,
    ctx: Arc<ServerCtx>,
}

/// Starts serving `listener`: one worker waits in `accept`, and whenever the last waiting
/// worker takes a connection it starts another, so a terminal never waits for a thread to
/// start. [`wake_acceptors`] ends them when the simulator stops.
pub(crate) fn serve(listener: TcpListener, ctx: Arc<ServerCtx>) -> std::io::Result<()> {
    start_worker(&Arc::new(Pool { listener, ctx }))
}

/// Wakes every worker waiting in `accept` on `addr` (the simulator is stopping: each one
/// takes its wake-up connection and ends).
pub(crate) fn wake_acceptors(shared: &Shared, addr: SocketAddr) {
    let target = if addr.ip().is_unspecified() {
        SocketAddr::new(std::net::Ipv4Addr::LOCALHOST.into(), addr.port())
    } else {
        addr
    };
    for _ in 0..1000 {
        let waiting = shared.accepting.load(Ordering::SeqCst);
        if waiting == 0 {
            return;
        }
        for _ in 0..waiting {
            let _ = TcpStream::connect_timeout(&target, Duration::from_millis(200));
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}

fn start_worker(pool: &Arc<Pool>) -> std::io::Result<()> {
    let shared = &pool.ctx.shared;
    let n = shared.next_worker.fetch_add(1, Ordering::Relaxed);
    let worker_pool = Arc::clone(pool);
    let handle = std::thread::Builder::new()
        .name(format!("hostsim-posp-{n}"))
        .spawn(move || work(&worker_pool))?;
    let mut workers = shared
        .workers
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    // Finished threads need no join; keep the list short.
    workers.retain(|h| !h.is_finished());
    workers.push(handle);
    Ok(())
}

/// Accept a connection, serve it, and again, until the simulator stops or enough others wait.
fn work(pool: &Arc<Pool>) {
    let ctx = &pool.ctx;
    let accepting = &ctx.shared.accepting;
    loop {
        let others = accepting.fetch_add(1, Ordering::SeqCst);
        // After counting itself: a stop either sees this worker waiting or is seen here. A
        // worker ends when enough others wait already (one back from a connection, or one
        // started late, when others came back first), decided on the count it got while
        // counting itself: two arriving at once cannot both stay.
        if ctx.shared.stopping() || others > SPARE_ACCEPTORS {
            accepting.fetch_sub(1, Ordering::SeqCst);
            return;
        }
        let accepted = pool.listener.accept();
        let others = accepting.fetch_sub(1, Ordering::SeqCst).saturating_sub(1);
        if ctx.shared.stopping() {
            return;
        }
        let stream = match accepted {
            Ok((s, _)) => s,
            Err(e) => {
                log::warn!("POSP accept failed: {e}");
                std::thread::sleep(Duration::from_millis(20));
                continue;
            }
        };
        if others == 0 {
            if let Err(e) = start_worker(pool) {
                log::error!("cannot start a connection thread: {e}");
            }
        }
        let id = ctx.shared.next_conn.fetch_add(1, Ordering::Relaxed);
        if let Ok(clone) = stream.try_clone() {
            ctx.shared
                .conns
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(id, clone);
        }
        serve_connection(ctx, id, stream);
    }
}

fn forget(ctx: &ServerCtx, id: u64) {
    ctx.shared
        .conns
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .remove(&id);
}

fn serve_connection(ctx: &ServerCtx, id: u64, stream: TcpStream) {
    let _ = stream.set_nodelay(true);
    let _ = stream.set_read_timeout(Some(ctx.idle));
    serve_posp(ctx, &stream);
    forget(ctx, id);
}

/// Frames in, answers out, until the terminal closes the connection or a fault closes it.
fn serve_posp(ctx: &ServerCtx, stream: &TcpStream) {
    // Buffered: a frame's length prefix and body arrive together, one read takes both.
    let mut reader = BufReader::new(stream);
    let mut writer = stream;
    loop {
        let body = match read_frame(&mut reader, 2, ctx.max_frame) {
            Ok(b) => b,
            Err(FrameReadError::Closed) => return,
            Err(e) => {
                if !ctx.shared.stopping() {
                    log::info!("POSP connection dropped: {e}");
                }
                return;
            }
        };
        if ctx.shared.stopping() {
            return;
        }
        match posp_exchange(ctx, &body) {
            Delivery::Frames { frames, delay_ms } => {
                pause(&ctx.shared, delay_ms);
                for f in frames {
                    if writer.write_all(&f).and_then(|()| writer.flush()).is_err() {
                        return;
                    }
                }
            }
            Delivery::Close | Delivery::Status(_) => {
                let _ = stream.shutdown(Shutdown::Both);
                return;
            }
        }
    }
}
