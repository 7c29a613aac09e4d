//! The connection a request came on, for handlers: as QEMU's commands
//! reach "the current monitor" (`monitor_cur()`), a handler reaches the
//! current [`Connection`] through [`Connection::current`] while the
//! dispatcher runs it, with the file descriptors the client passed and any
//! state the program keeps per connection.

use std::any::Any;
use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};

/// One client connection's context, shared by the requests read on it and
/// dropped (closing its file descriptors) when the connection ends.
pub struct Connection {
    id: u64,
    /// The program's own per-connection state (see [`Connection::state`]).
    state: Mutex<Option<Box<dyn Any + Send>>>,
    #[cfg(unix)]
    pub(crate) fds: super::fds::ConnectionFds,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection").field("id", &self.id).finish()
    }
}

thread_local! {
    static CURRENT: RefCell<Option<Arc<Connection>>> = const { RefCell::new(None) };
}

fn lock<T: ?Sized>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Connection {
    pub(crate) fn new() -> Connection {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        Connection {
            id: NEXT.fetch_add(1, Ordering::Relaxed),
            state: Mutex::new(None),
            #[cfg(unix)]
            fds: super::fds::ConnectionFds::default(),
        }
    }

    /// The connection whose request is being handled: set while the
    /// dispatcher calls a handler and while it polls the handler's future;
    /// `None` elsewhere.
    pub fn current() -> Option<Arc<Connection>> {
        CURRENT.with(|current| current.borrow().clone())
    }

    /// A number unique to the connection in this process.
    pub fn id(&self) -> u64 {
        self.id
    }

    /// Run `f` on this connection's state of type `T` (made with
    /// `T::default()` on first use; replaced if it had another type).  The
    /// state is dropped with the connection.
    pub fn state<T: Default + Send + 'static, R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        let mut slot = lock(&self.state);
        if !slot.as_ref().is_some_and(|state| state.is::<T>()) {
            *slot = Some(Box::new(T::default()));
        }
        let state = slot
            .as_mut()
            .and_then(|state| state.downcast_mut::<T>())
            .expect("the state was just made of this type");
        f(state)
    }

    /// Run `f` with this connection as [`Connection::current`].
    pub(crate) fn enter<R>(self: &Arc<Self>, f: impl FnOnce() -> R) -> R {
        let previous = CURRENT.with(|current| current.replace(Some(Arc::clone(self))));
        struct Restore(Option<Arc<Connection>>);
        impl Drop for Restore {
            fn drop(&mut self) {
                let previous = self.0.take();
                CURRENT.with(|current| *current.borrow_mut() = previous);
            }
        }
        let _restore = Restore(previous);
        f()
    }
}

/// A future polled with a connection as [`Connection::current`].
pub(crate) struct InConnection<F: ?Sized> {
    pub(crate) connection: Arc<Connection>,
    pub(crate) future: Pin<Box<F>>,
}

impl<F: Future + ?Sized> Future for InConnection<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.get_mut();
        let future = this.future.as_mut();
        this.connection.enter(|| future.poll(cx))
    }
}
