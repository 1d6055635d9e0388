//! The only `unsafe` code of the view: the WebKit/GObject calls the safe bindings lack.
//!
//! - [`install_content_filter`]: `WebKitUserContentFilterStore` (compile the sub-resource
//!   filter, then add it to the content view's user content manager). `webkit2gtk` 2.0 leaves
//!   the store and `add_filter` out of its safe API.
//! - [`disconnect_close_handlers`]: wry connects the web view's `close` signal (a page's
//!   `window.close()`) to `gtk_widget_destroy`, which would leave the person with no content
//!   view; glib has no safe way to find a handler it did not return, so we disconnect it by
//!   signal id.
//! - [`hook_download_destinations`]: an emission hook on every download's
//!   `decide-destination`.
//! - [`disable_feature`]: `webkit_settings_set_feature_enabled` (WebKitGTK 2.42), newer than
//!   the bindings.
//! - [`on_every_map`]: an emission hook on `GtkWidget::map`, which sees every widget of the
//!   process as it is about to appear (the popup guard of `popups.rs`).

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
pub(crate) fn install_content_filter(
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
pub(crate) fn disconnect_close_handlers(webview: &WebView) -> u32 {
    use glib::prelude::StaticType;
    let Some(signal) = glib::subclass::signal::SignalId::lookup("close", WebView::static_type())
    else {
        tracing::error!("WebKitWebView has no close signal");
        return 0;
    };
    let instance: *mut glib::gobject_ffi::GObject =
        <WebView as ToGlibPtr<*mut webkit2gtk_sys::WebKitWebView>>::to_glib_none(webview).0
            as *mut _;
    // SAFETY: `instance` is a live GObject (borrowed from `webview` for the call) and
    // `signal` a signal id valid for its type. `g_signal_handler_find` matching on the id
    // alone returns a connected handler id (or 0); each is disconnected once. (The
    // `_disconnect_matched` shortcut ignores an id-only match.)
    unsafe {
        let mut removed = 0;
        loop {
            let id = glib::gobject_ffi::g_signal_handler_find(
                instance,
                glib::gobject_ffi::G_SIGNAL_MATCH_ID,
                signal.into_glib(),
                0,
                std::ptr::null_mut(),
                std::ptr::null_mut(),
                std::ptr::null_mut(),
            );
            if id == 0 || removed > 16 {
                return removed;
            }
            glib::gobject_ffi::g_signal_handler_disconnect(instance, id);
            removed += 1;
        }
    }
}

type DestinationHook = Box<dyn Fn(&webkit2gtk::Download, &str)>;

/// Runs `hook` at every `decide-destination` of any download, before the signal's handlers.
///
/// WebKitGTK 2.40+ (4.1 API) can ask for a download's destination before the context's
/// `download-started` is emitted, so a handler connected there comes too late and WebKit's
/// default handler would pick `~/Downloads`. An emission hook sees every emission; the hook
/// sets the destination (or cancels), and the default handler leaves a set destination alone.
pub(crate) fn hook_download_destinations(hook: impl Fn(&webkit2gtk::Download, &str) + 'static) {
    use glib::prelude::StaticType;
    // The class must exist for its signals to be looked up.
    let _class =
        glib::object::Class::<glib::Object>::from_type(webkit2gtk::Download::static_type());
    let Some(signal) = glib::subclass::signal::SignalId::lookup(
        "decide-destination",
        webkit2gtk::Download::static_type(),
    ) else {
        tracing::error!("WebKitDownload has no decide-destination signal");
        return;
    };
    let data: Box<DestinationHook> = Box::new(Box::new(hook));
    // SAFETY: `signal` is a valid signal id of WebKitDownload; `destination_hook` matches
    // GSignalEmissionHook; the hook data is leaked on purpose (the hook lives as long as
    // the process) and only read by `destination_hook` on the main thread.
    unsafe {
        glib::gobject_ffi::g_signal_add_emission_hook(
            signal.into_glib(),
            0,
            Some(destination_hook),
            Box::into_raw(data) as glib::ffi::gpointer,
            None,
        );
    }
}

unsafe extern "C" fn destination_hook(
    _hint: *mut glib::gobject_ffi::GSignalInvocationHint,
    n_params: std::ffi::c_uint,
    params: *const glib::gobject_ffi::GValue,
    data: glib::ffi::gpointer,
) -> glib::ffi::gboolean {
    // SAFETY: GLib passes the emission's parameters: `params[0]` the WebKitDownload
    // instance, `params[1]` the suggested file name (a string), valid for this call;
    // `glib::Value` is a transparent wrapper of GValue; `data` is the leaked hook.
    unsafe {
        if n_params >= 2 && !params.is_null() {
            let values = std::slice::from_raw_parts(params as *const glib::Value, 2);
            let hook = &*(data as *const DestinationHook);
            if let (Ok(download), Ok(name)) = (
                values[0].get::<webkit2gtk::Download>(),
                values[1].get::<Option<String>>(),
            ) {
                hook(&download, name.as_deref().unwrap_or(""));
            }
        }
    }
    glib::ffi::GTRUE
}

/// WebKitGTK's opaque feature types (`WebKitFeature.h`, since 2.42).
#[repr(C)]
struct WebKitFeature {
    _private: [u8; 0],
}
#[repr(C)]
struct WebKitFeatureList {
    _private: [u8; 0],
}

// Linked through webkit2gtk-sys (libwebkit2gtk-4.1), which predates these functions.
extern "C" {
    fn webkit_settings_get_all_features() -> *mut WebKitFeatureList;
    fn webkit_feature_list_get_length(list: *mut WebKitFeatureList) -> usize;
    fn webkit_feature_list_get(list: *mut WebKitFeatureList, index: usize) -> *mut WebKitFeature;
    fn webkit_feature_list_unref(list: *mut WebKitFeatureList);
    fn webkit_feature_get_identifier(feature: *mut WebKitFeature) -> *const std::ffi::c_char;
    fn webkit_settings_set_feature_enabled(
        settings: *mut webkit2gtk_sys::WebKitSettings,
        feature: *mut WebKitFeature,
        enabled: glib::ffi::gboolean,
    );
    fn webkit_settings_get_feature_enabled(
        settings: *mut webkit2gtk_sys::WebKitSettings,
        feature: *mut WebKitFeature,
    ) -> glib::ffi::gboolean;
}

/// Turns off the WebKit feature named `identifier` (e.g. `DataListElement`) in `settings`;
/// returns whether WebKit has that feature and it is now off.
pub(crate) fn disable_feature(settings: &webkit2gtk::Settings, identifier: &str) -> bool {
    let settings: *mut webkit2gtk_sys::WebKitSettings = settings.to_glib_none().0;
    // SAFETY: `webkit_settings_get_all_features` returns a new reference to a list that we
    // release once; its features stay valid while the list lives and are only read here; each
    // identifier is a NUL-terminated string owned by its feature; `settings` is a live
    // WebKitSettings borrowed for the call.
    unsafe {
        let list = webkit_settings_get_all_features();
        if list.is_null() {
            return false;
        }
        let mut done = false;
        for i in 0..webkit_feature_list_get_length(list) {
            let feature = webkit_feature_list_get(list, i);
            let id = webkit_feature_get_identifier(feature);
            if !id.is_null() && std::ffi::CStr::from_ptr(id).to_bytes() == identifier.as_bytes() {
                webkit_settings_set_feature_enabled(settings, feature, glib::ffi::GFALSE);
                done = webkit_settings_get_feature_enabled(settings, feature) == glib::ffi::GFALSE;
                break;
            }
        }
        webkit_feature_list_unref(list);
        done
    }
}

type MapHook = Box<dyn Fn(&gtk::Widget)>;

/// Runs `hook` with each widget of the process as it is mapped (before its own `map`
/// handlers: what the hook does to it applies to this appearance).
pub(crate) fn on_every_map(hook: impl Fn(&gtk::Widget) + 'static) {
    use glib::prelude::StaticType;
    let Some(signal) = glib::subclass::signal::SignalId::lookup("map", gtk::Widget::static_type())
    else {
        tracing::error!("GtkWidget has no map signal");
        return;
    };
    let data: Box<MapHook> = Box::new(Box::new(hook));
    // SAFETY: `signal` is a valid signal id of GtkWidget; `map_hook` matches
    // GSignalEmissionHook; the hook data is leaked on purpose (the hook lives as long as the
    // process) and only read by `map_hook`, on the main thread where GTK emits `map`.
    unsafe {
        glib::gobject_ffi::g_signal_add_emission_hook(
            signal.into_glib(),
            0,
            Some(map_hook),
            Box::into_raw(data) as glib::ffi::gpointer,
            None,
        );
    }
}

unsafe extern "C" fn map_hook(
    _hint: *mut glib::gobject_ffi::GSignalInvocationHint,
    n_params: std::ffi::c_uint,
    params: *const glib::gobject_ffi::GValue,
    data: glib::ffi::gpointer,
) -> glib::ffi::gboolean {
    // SAFETY: GLib passes the emission's parameters, `params[0]` being the GtkWidget being
    // mapped, valid for this call; `glib::Value` is a transparent wrapper of GValue; `data` is
    // the leaked hook.
    unsafe {
        if n_params >= 1 && !params.is_null() {
            let value = &*(params as *const glib::Value);
            let hook = &*(data as *const MapHook);
            if let Ok(widget) = value.get::<gtk::Widget>() {
                hook(&widget);
            }
        }
    }
    glib::ffi::GTRUE
}
