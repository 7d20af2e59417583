//! rust (to be written).

use super::edit::Output;
use super::layout::Layout;

/// Plans the rewrites for the moves of `layout`.
pub(super) fn rewrite(layout: &Layout<'_>, out: &mut Output) {
    let _ = (layout, out);
}
