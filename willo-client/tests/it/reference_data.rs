//! Child organisations (`/children/` list and create), languages (`/languages/`) and
//! IDV countries (`/idv-counties/` by default, overridable).

use crate::support;

use futures::TryStreamExt;
use serde_json::json;
use support::*;
use willo_client::{ChildKey, ChildOrganisationInput, IdvCountry, ListParams};

#[tokio::test]
async fn children_list_and_create() {
    let server = server().await;
    call("GET", "/children/")
        .once(
            &server,
            listed(json!([{"key": "ch1", "name": "Agency A", "plan": "scale"}])),
        )
        .await;
    sends("POST", "/children/", json!({"name": "Agency B"}))
        .once(
            &server,
            json(201, json!({"key": "ch2", "name": "Agency B"})),
        )
        .await;
    let client = client(&server);
    let page = client
        .children()
        .page(ListParams::new(), None)
        .await
        .unwrap();
    assert_eq!(page.items[0].extra["plan"], "scale");
    let created = client
        .children()
        .create(&ChildOrganisationInput::named("Agency B"))
        .await
        .unwrap();
    assert_eq!(created.key, Some(ChildKey::from("ch2")));
}

#[tokio::test]
async fn languages() {
    let server = server().await;
    call("GET", "/languages/")
        .once(
            &server,
            listed(json!([{"code": "en-gb", "name": "English (UK)"}, {"id": 4}])),
        )
        .await;
    let page = client(&server)
        .languages()
        .page(ListParams::new(), None)
        .await
        .unwrap();
    assert_eq!(page.items[0].code.as_deref(), Some("en-gb"));
    assert_eq!(page.items[1].code, None);
    assert_eq!(page.items[1].extra["id"], 4);
}

#[tokio::test]
async fn idv_countries_use_the_reference_spelling_by_default() {
    let server = server().await;
    call("GET", "/idv-counties/")
        .once(
            &server,
            listed(json!([{"code": "GB", "name": "United Kingdom"}])),
        )
        .await;
    let all: Vec<IdvCountry> = client(&server)
        .idv_countries()
        .list(ListParams::new())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all[0].name.as_deref(), Some("United Kingdom"));
}

#[tokio::test]
async fn idv_countries_path_is_overridable() {
    let server = server().await;
    call("GET", "/idv-countries/")
        .once(&server, listed(json!([{"code": "IE"}])))
        .await;
    let client = builder(&server)
        .idv_countries_path("/idv-countries/")
        .build()
        .unwrap();
    let page = client
        .idv_countries()
        .page(ListParams::new(), None)
        .await
        .unwrap();
    assert_eq!(page.items[0].code.as_deref(), Some("IE"));
}

#[tokio::test]
async fn reference_lists_accept_a_bare_array_as_well_as_a_page() {
    // Issue 15, item 6: an unpaginated DRF view answers the whole list as an array.
    let server = server().await;
    call("GET", "/languages/")
        .once(
            &server,
            json(
                200,
                json!([{"code": "en-gb", "name": "English (UK)"}, {"code": "fr"}]),
            ),
        )
        .await;
    call("GET", "/idv-counties/")
        .once(
            &server,
            json(200, json!([{"code": "GB", "name": "United Kingdom"}])),
        )
        .await;
    call("GET", "/categories/")
        .once(&server, json(200, json!([{"key": "c1", "name": "Retail"}])))
        .await;
    let client = client(&server);
    let page = client
        .languages()
        .page(ListParams::new(), None)
        .await
        .unwrap();
    assert_eq!(page.items.len(), 2);
    assert_eq!(page.items[1].code.as_deref(), Some("fr"));
    assert_eq!(page.next, None, "a bare array is the whole list");
    let countries: Vec<IdvCountry> = client
        .idv_countries()
        .list(ListParams::new())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(countries[0].name.as_deref(), Some("United Kingdom"));
    let categories: Vec<_> = client
        .categories()
        .list(ListParams::new())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(categories[0].name.as_deref(), Some("Retail"));
}

#[tokio::test]
async fn a_list_that_is_neither_a_page_nor_an_array_is_an_error() {
    let server = server().await;
    call("GET", "/languages/")
        .once(&server, json(200, json!("languages")))
        .await;
    let error = client(&server)
        .languages()
        .page(ListParams::new(), None)
        .await
        .unwrap_err();
    assert!(
        matches!(error, willo_client::Error::Decode { .. }),
        "{error:?}"
    );
}
