//! Languages (`/languages/`) an interview can be run in. Field names are not
//! confirmed (willo.md §5).

crate::resource::code_name_list! {
    /// A language as Willo returns it.
    item Language;
    /// Calls on `/languages/`. Obtain with [`WilloClient::languages`].
    ///
    /// [`WilloClient::languages`]: crate::WilloClient::languages
    handle Languages at |_client| "/languages/";
    "languages"
}
