//! The only `unsafe` code of the view: two WebKit/GObject calls the safe bindings lack.
//!
//! - [`install_content_filter`]: `WebKitUserContentFilterStore` (compile the sub-resource
//!   filter, then add it to the content view's user content manager). `webkit2gtk` 2.0 leaves
//!   the store and `add_filter` out of its safe API.
//! - [`disconnect_close_handlers`]: wry connects the web view's `close` signal (a page's
//!   `window.close()`) to `gtk_widget_destroy`, which would leave the person with no content
//!   view; glib has no safe way to find a handler it did not return, so we disconnect it by
//!   signal id.

use std::ffi::CString;
use std::path::Path;

use gtk::glib;
use gtk::glib::translate::{IntoGlib, ToGlibPtr};
use webkit2gtk::{UserContentManager, WebView};

type Done = Box<dyn FnOnce(Result<(), String>)>;

struct SaveCall {
    manager: UserContentManager,
    done: Done,
}

/// Compiles `json` into a content filter stored under `store_dir` and adds it to `manager`;
/// `done` runs on the main loop when the filter is active (or failed to compile).
pub fn install_content_filter(
    store_dir: &Path,
    identifier: &str,
    json: &str,
    manager: &UserContentManager,
    done: impl FnOnce(Result<(), String>) + 'static,
) {
    let Some(path) = store_dir.to_str().and_then(|p| CString::new(p).ok()) else {
        done(Err("filter store path is not UTF-8".into()));
        return;
    };
    let Ok(id) = CString::new(identifier) else {
        done(Err("filter identifier has a NUL byte".into()));
        return;
    };
    let source = glib::Bytes::from_owned(json.as_bytes().to_vec());
    let call = Box::new(SaveCall {
        manager: manager.clone(),
        done: Box::new(done),
    });
    // SAFETY: `path` and `id` are NUL-terminated and outlive the calls (WebKit copies them);
    // `source` is a valid GBytes borrowed for the call (WebKit takes its own reference); the
    // store returned by `_new` is a new reference that the callback releases; `call` is
    // leaked into `user_data` and reclaimed exactly once by `save_done`, which GIO invokes
    // once on this thread's main context.
    unsafe {
        let store = webkit2gtk_sys::webkit_user_content_filter_store_new(path.as_ptr());
        webkit2gtk_sys::webkit_user_content_filter_store_save(
            store,
            id.as_ptr(),
            source.to_glib_none().0,
            std::ptr::null_mut(),
            Some(save_done),
            Box::into_raw(call) as glib::ffi::gpointer,
        );
    }
}

unsafe extern "C" fn save_done(
    source: *mut glib::gobject_ffi::GObject,
    result: *mut gtk::gio::ffi::GAsyncResult,
    user_data: glib::ffi::gpointer,
) {
    // SAFETY: `user_data` is the `SaveCall` leaked by `install_content_filter`, reclaimed
    // here once; `source` is the store it created (we drop that reference after `finish`);
    // `result` is the async result GIO hands to this callback; the manager pointer comes
    // from a live `UserContentManager` held by `call`; the filter returned by `finish` is a
    // new reference that we release after the manager took its own.
    unsafe {
        let call: Box<SaveCall> = Box::from_raw(user_data as *mut SaveCall);
        let store = source as *mut webkit2gtk_sys::WebKitUserContentFilterStore;
        let mut error: *mut glib::ffi::GError = std::ptr::null_mut();
        let filter =
            webkit2gtk_sys::webkit_user_content_filter_store_save_finish(store, result, &mut error);
        glib::gobject_ffi::g_object_unref(source);
        if filter.is_null() {
            let message = if error.is_null() {
                "unknown error".to_owned()
            } else {
                let e: glib::Error = glib::translate::from_glib_full(error);
                e.message().to_owned()
            };
            (call.done)(Err(message));
            return;
        }
        let manager: *mut webkit2gtk_sys::WebKitUserContentManager = call.manager.to_glib_none().0;
        webkit2gtk_sys::webkit_user_content_manager_add_filter(manager, filter);
        webkit2gtk_sys::webkit_user_content_filter_unref(filter);
        (call.done)(Ok(()));
    }
}

/// Disconnects every handler of `webview`'s `close` signal (see the module notes); returns
/// how many were removed.
pub fn disconnect_close_handlers(webview: &WebView) -> u32 {
    use glib::prelude::StaticType;
    let Some(signal) = glib::subclass::signal::SignalId::lookup("close", WebView::static_type())
    else {
        return 0;
    };
    let instance: *mut glib::gobject_ffi::GObject =
        <WebView as ToGlibPtr<*mut webkit2gtk_sys::WebKitWebView>>::to_glib_none(webview).0
            as *mut _;
    // SAFETY: `instance` is a live GObject (borrowed from `webview` for the call) and
    // `signal` a signal id valid for its type; matching on the id alone with null
    // closure/func/data pointers is the documented way to disconnect all its handlers.
    unsafe {
        glib::gobject_ffi::g_signal_handlers_disconnect_matched(
            instance,
            glib::gobject_ffi::G_SIGNAL_MATCH_ID,
            signal.into_glib(),
            0,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
        )
    }
}
