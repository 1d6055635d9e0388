//! Which frame a blocked hop belonged to: an iframe stays empty, the main frame shows the
//! blocked page.
//!
//! WebKitGTK does not say which frame a navigation action is for. A redirect while a
//! top-level load is pending belongs to the main frame; a redirect while none is pending can
//! only be a frame's (an iframe whose allowed address redirects to a blocked one stays
//! empty). Otherwise the main document is asked, in an isolated script world the page cannot
//! tamper with, whether one of its frame elements — or one in a frame it can see into — points
//! at the URL: then it was an iframe. A hop without a user gesture in a page holding
//! cross-origin frames (whose own frames the main document cannot see) is taken as a nested
//! frame too, so an embedded widget's tracker never replaces the whole page. Anything else
//! was the main frame (a link, `location.href`, meta refresh, form).

use std::rc::Rc;

use javascriptcore::ValueExt;
use webkit2gtk::WebViewExt;

use crate::policy::BlockReason;

use super::navigation::host_of;
use super::shared::Shared;

/// Handles a blocked hop of a navigation action whose frame WebKitGTK does not name (see the
/// module documentation). The hop itself has already been ignored either way.
pub(crate) fn blocked_hop(
    shared: &Rc<Shared>,
    view: &webkit2gtk::WebView,
    url: &str,
    reason: BlockReason,
    redirect: bool,
    gesture: bool,
) {
    if redirect {
        if shared.top_pending.get() {
            shared.blocked(url, reason);
        } else {
            tracing::debug!(host = ?host_of(url).map(|h| h.to_string()), "frame redirect blocked");
        }
        return;
    }
    let sh = Rc::clone(shared);
    let url = url.to_owned();
    view.evaluate_javascript(
        &frame_check_script(&url, gesture),
        Some("guichet-frame-check"),
        None,
        None::<&gtk::gio::Cancellable>,
        move |result| {
            let in_frame = result.map(|v| v.to_boolean()).unwrap_or(false);
            if in_frame {
                tracing::debug!(host = ?host_of(&url).map(|h| h.to_string()), "iframe navigation blocked");
            } else {
                sh.blocked(&url, reason);
            }
        },
    );
}

/// The script asking the main document whether `url` was one of its frames' (true) or the
/// main frame's own navigation (false).
fn frame_check_script(url: &str, gesture: bool) -> String {
    format!(
        "(function(u,g){{const fs=[];const docs=[document];\
         for(let i=0;i<docs.length&&i<64;i++){{let d=docs[i];\
         for(const f of d.querySelectorAll('iframe,frame,object,embed')){{fs.push([f,d]);\
         try{{if(f.contentDocument)docs.push(f.contentDocument);}}catch(e){{}}}}}}\
         for(const [f,d] of fs){{try{{const s=f.getAttribute('src')??f.getAttribute('data');\
         if(s!==null&&new URL(s,d.baseURI).href===u)return true;}}catch(e){{}}}}\
         if(!g)for(const [f] of fs){{if(f.contentDocument===null)return true;}}\
         return false;}})({},{})",
        serde_json::to_string(url).expect("a string serializes"),
        gesture
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_url_is_a_json_string_argument() {
        let s = frame_check_script("https://evil.example/'\"</script>", false);
        assert!(s.starts_with("(function(u,g){const fs=[];"));
        assert!(s.ends_with(r#"})("https://evil.example/'\"</script>",false)"#));
        assert!(frame_check_script("https://a.example/", true).ends_with(",true)"));
    }
}
