//! Countries of employment for identity verification. Willo's reference lists the path
//! as `/idv-counties/` (sic); the spelling is uncertain, so the path is set on the
//! builder ([`crate::WilloClientBuilder::idv_countries_path`]).

crate::resource::code_name_list! {
    /// A country as Willo returns it.
    item IdvCountry;
    /// Calls on the IDV countries list. Obtain with [`WilloClient::idv_countries`].
    ///
    /// [`WilloClient::idv_countries`]: crate::WilloClient::idv_countries
    handle IdvCountries at |client| client.idv_countries_path();
    "IDV countries"
}
