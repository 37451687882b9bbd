//! `PageIterator`: the items of a paged operation as a JavaScript async iterable (`for await`).

use std::cell::RefCell;
use std::rc::Rc;

use serde_json::Value;
use wasm_bindgen::prelude::*;

use super::{to_js, to_js_error};
use crate::api::Pages;

/// Makes `it` usable with `for await`: `it[Symbol.asyncIterator]` must return `it`, which is exactly what
/// `Object.prototype.valueOf` does for an object. (No inline JS module, so the CommonJS build works too, and no
/// `eval`, so strict content-security policies do too.)
pub(crate) fn as_async_iterable(it: JsValue) -> JsValue {
    let value_of = js_sys::Reflect::get(&js_sys::Object::new(), &JsValue::from_str("valueOf"))
        .unwrap_or(JsValue::UNDEFINED);
    // Setting a property on our own object cannot fail.
    let _ = js_sys::Reflect::set(&it, &js_sys::Symbol::async_iterator(), &value_of);
    it
}

/// `{done, value}` for an iterator's `next()`.
pub(crate) fn iter_result(done: bool, value: JsValue) -> JsValue {
    let o = js_sys::Object::new();
    // Setting properties on a fresh object cannot fail.
    let _ = js_sys::Reflect::set(&o, &JsValue::from_str("done"), &JsValue::from_bool(done));
    let _ = js_sys::Reflect::set(&o, &JsValue::from_str("value"), &value);
    o.into()
}

/// `{done: true}`: the end of an iteration.
pub(crate) fn iter_done() -> JsValue {
    iter_result(true, JsValue::UNDEFINED)
}

/// The items of a paged operation, fetched a page at a time: `for await (const item of iterator)`; `break`
/// stops fetching.
#[wasm_bindgen]
#[derive(Debug)]
pub struct PageIterator {
    inner: Rc<RefCell<Option<Pages<Value>>>>,
}

impl PageIterator {
    /// An async iterable over `pages`.
    pub(crate) fn iterable(pages: Pages<Value>) -> JsValue {
        as_async_iterable(JsValue::from(PageIterator {
            inner: Rc::new(RefCell::new(Some(pages))),
        }))
    }
}

#[wasm_bindgen]
impl PageIterator {
    /// The next item as `{done: false, value}`, or `{done: true}` after the last page.
    ///
    /// @throws {HeliumError} the error of the page request that failed.
    #[wasm_bindgen(unchecked_return_type = "IteratorResult<any, undefined>")]
    pub async fn next(&self) -> Result<JsValue, JsValue> {
        let taken = self.inner.borrow_mut().take();
        let Some(mut pages) = taken else {
            return Ok(iter_done());
        };
        match pages.next().await {
            None => Ok(iter_done()),
            Some(Err(e)) => Err(to_js_error(&e)),
            Some(Ok(item)) => {
                let value = to_js(&item)?;
                *self.inner.borrow_mut() = Some(pages);
                Ok(iter_result(false, value))
            }
        }
    }

    /// Stops the iteration (called by `break` in `for await`).
    #[wasm_bindgen(
        js_name = "return",
        unchecked_return_type = "Promise<IteratorResult<any, undefined>>"
    )]
    pub fn return_(&self) -> js_sys::Promise {
        if let Ok(mut slot) = self.inner.try_borrow_mut() {
            slot.take();
        }
        js_sys::Promise::resolve(&iter_done())
    }
}
