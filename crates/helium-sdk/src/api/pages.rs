//! Auto-pagination: [`Pages`] fetches page after page of a paged operation and yields the items one by one
//! (natively also a `futures_core::Stream`; in JavaScript an async iterable).

use std::collections::VecDeque;

use crate::error::Error;
use crate::platform::{BoxFnMut, BoxFuture, MaybeSend};

/// One fetched page: its items and the cursor of the next page, if there is one.
#[derive(Debug)]
pub(crate) struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<u64>,
}

/// The items of a paged operation, fetched a page at a time as they are consumed.
pub struct Pages<T> {
    fetch: BoxFnMut<u64, Result<Page<T>, Error>>,
    cursor: Option<u64>,
    buffer: VecDeque<T>,
    in_flight: Option<BoxFuture<'static, Result<Page<T>, Error>>>,
}

impl<T> std::fmt::Debug for Pages<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pages")
            .field("next_page", &self.cursor)
            .field("buffered", &self.buffer.len())
            .finish_non_exhaustive()
    }
}

impl<T: MaybeSend + 'static> Pages<T> {
    /// Pages starting at cursor `first`; `fetch(cursor)` fetches one.
    pub(crate) fn new<F>(first: u64, fetch: F) -> Pages<T>
    where
        F: FnMut(u64) -> BoxFuture<'static, Result<Page<T>, Error>> + MaybeSend + 'static,
    {
        Pages {
            fetch: Box::new(fetch),
            cursor: Some(first),
            buffer: VecDeque::new(),
            in_flight: None,
        }
    }

    /// The next item; `None` after the last page.
    ///
    /// # Errors
    /// The error of the page request that failed (the iteration then ends).
    pub async fn next(&mut self) -> Option<Result<T, Error>> {
        loop {
            if let Some(item) = self.buffer.pop_front() {
                return Some(Ok(item));
            }
            let cursor = self.cursor.take()?;
            match (self.fetch)(cursor).await {
                Ok(page) => self.accept(page),
                Err(e) => return Some(Err(e)),
            }
        }
    }

    fn accept(&mut self, page: Page<T>) {
        // A page without items ends the iteration even if the server claims there is more.
        self.cursor = page.next.filter(|_| !page.items.is_empty());
        self.buffer.extend(page.items);
    }

    /// Every remaining item.
    ///
    /// # Errors
    /// The first failed page request.
    pub async fn collect_all(mut self) -> Result<Vec<T>, Error> {
        let mut out = Vec::new();
        while let Some(item) = self.next().await {
            out.push(item?);
        }
        Ok(out)
    }
}

impl<T: MaybeSend + Unpin + 'static> futures_core::Stream for Pages<T> {
    type Item = Result<T, Error>;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        use std::task::Poll;
        let this = &mut *self;
        loop {
            if let Some(item) = this.buffer.pop_front() {
                return Poll::Ready(Some(Ok(item)));
            }
            let mut fut = match this.in_flight.take() {
                Some(f) => f,
                None => match this.cursor.take() {
                    Some(cursor) => (this.fetch)(cursor),
                    None => return Poll::Ready(None),
                },
            };
            match fut.as_mut().poll(cx) {
                Poll::Ready(Ok(page)) => this.accept(page),
                Poll::Ready(Err(e)) => return Poll::Ready(Some(Err(e))),
                Poll::Pending => {
                    this.in_flight = Some(fut);
                    return Poll::Pending;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        let mut f = std::pin::pin!(f);
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        match f.as_mut().poll(&mut cx) {
            std::task::Poll::Ready(v) => v,
            std::task::Poll::Pending => panic!("waited"),
        }
    }

    #[test]
    fn pages_are_fetched_until_the_last() {
        let pages = Pages::new(1, |n| {
            Box::pin(async move {
                let items: Vec<u64> = if n <= 3 { vec![n * 10, n * 10 + 1] } else { vec![] };
                Ok(Page {
                    items,
                    next: (n < 3).then_some(n + 1),
                })
            })
        });
        assert_eq!(
            block_on(pages.collect_all()).unwrap(),
            vec![10, 11, 20, 21, 30, 31]
        );
        // An empty page ends it even when the server says there is a next one.
        let pages = Pages::new(0, |n| {
            Box::pin(async move {
                Ok(Page::<u64> {
                    items: vec![],
                    next: Some(n + 1),
                })
            })
        });
        assert_eq!(block_on(pages.collect_all()).unwrap(), Vec::<u64>::new());
    }
}
