//! The content view's own pages for the accessibility test: every block reason, every error
//! kind, with and without Retry.

use crate::lang::Lang;
use crate::policy::BlockReason;

use super::super::pages::{self, ErrorKind, Retry};

const REASONS: [(&str, BlockReason); 6] = [
    ("unparsable", BlockReason::Unparsable),
    ("scheme", BlockReason::Scheme),
    ("userinfo", BlockReason::Userinfo),
    ("ip-literal", BlockReason::IpLiteral),
    ("insecure-http", BlockReason::InsecureHttp),
    ("not-listed", BlockReason::NotListed),
];

/// Every blocked and error page in `lang`: its case name and the address the view loads.
pub(super) fn page_urls(lang: Lang) -> Vec<(String, String)> {
    let mut urls = vec![];
    for (name, reason) in REASONS {
        urls.push((format!("blocked-{name}"), pages::blocked_url(reason, lang)));
    }
    let retry = |after_secs| Retry {
        url: "https://www.example.be/formulaire?etape=2".into(),
        after_secs,
    };
    for kind in ErrorKind::ALL {
        let name = kind.code();
        urls.push((format!("error-{name}"), pages::error_url(kind, lang, None)));
        let r = retry(None);
        urls.push((
            format!("error-{name}-retry"),
            pages::error_url(kind, lang, Some(&r)),
        ));
        let r = retry(Some(10));
        urls.push((
            format!("error-{name}-auto-retry"),
            pages::error_url(kind, lang, Some(&r)),
        ));
    }
    urls
}
