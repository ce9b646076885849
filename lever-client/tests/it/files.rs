//! Files, resumes and uploads: multipart uploads, downloads, metadata.

use crate::support;

use futures::TryStreamExt;
use lever_client::{Error, FileId, FileUpload, OpportunityId, ResumeId, UserId};
use serde_json::json;
use support::*;
use wiremock::{Request, ResponseTemplate};

/// Matches a multipart upload of one `file` part named `name` holding `bytes`.
fn multipart_file(name: &'static str, bytes: &'static [u8]) -> impl Fn(&Request) -> bool {
    move |request: &Request| {
        let content_type = request
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let body = String::from_utf8_lossy(&request.body);
        content_type.starts_with("multipart/form-data; boundary=")
            && body.contains("Content-Disposition: form-data; name=\"file\"")
            && body.contains(&format!("filename=\"{name}\""))
            && body.contains(std::str::from_utf8(bytes).unwrap())
    }
}

#[tokio::test]
async fn files_upload_list_get_download_delete() {
    let server = server().await;
    let base = format!("/v1/opportunities/{OPP}/files");
    let composed = fixture_json("files.composed.json");
    let id = "4bf4f1b1-3f22-4e3a-9b8f-6a1f0e2d3c4b";
    as_key_user("POST", base.clone())
        .and(QueryIs(vec![("perform_as", USER)]))
        .and(multipart_file("portfolio.pdf", b"%PDF-1.4 hello"))
        .once(
            &server,
            ResponseTemplate::new(201).set_body_json(&composed["file"]),
        )
        .await;
    as_key_user("GET", base.clone())
        .once(
            &server,
            ResponseTemplate::new(200)
                .set_body_json(json!({"data": [composed["file"]["data"]], "hasNext": false})),
        )
        .await;
    as_key_user("GET", format!("{base}/{id}"))
        .once(
            &server,
            ResponseTemplate::new(200).set_body_json(&composed["file"]),
        )
        .await;
    as_key_user("GET", format!("{base}/{id}/download"))
        .once(
            &server,
            ResponseTemplate::new(200).set_body_raw(b"%PDF-1.4 hello".to_vec(), "application/pdf"),
        )
        .await;
    as_key_user("DELETE", format!("{base}/{id}"))
        .and(QueryIs(vec![]))
        .once(&server, ResponseTemplate::new(204))
        .await;
    let lever = client(&server);
    let files = lever.files(&OpportunityId::from(OPP));
    let uploaded = files
        .upload(
            &FileUpload::new("portfolio.pdf", b"%PDF-1.4 hello".to_vec())
                .content_type("application/pdf"),
        )
        .perform_as(&UserId::from(USER))
        .await
        .unwrap();
    assert_eq!(uploaded.size, Some(14));
    assert_eq!(uploaded.status.as_deref(), Some("processed"));
    let all: Vec<_> = files.list().try_collect().await.unwrap();
    assert_eq!(all.len(), 1);
    let one = files.get(&FileId::from(id)).await.unwrap();
    assert_eq!(one.ext.as_deref(), Some("pdf"));
    let got = files.download(&FileId::from(id)).await.unwrap();
    assert_eq!(got.bytes.as_ref(), b"%PDF-1.4 hello");
    files.delete(&FileId::from(id)).await.unwrap();

    // Over Lever's 30 MB limit: refused before sending.
    let big = FileUpload::new("big.bin", vec![0u8; FileUpload::MAX_BYTES + 1]);
    let err = files.upload(&big).await.unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err}");
}

#[tokio::test]
async fn resumes_list_get_and_an_unprocessable_download() {
    let server = server().await;
    let base = format!("/v1/opportunities/{OPP}/resumes");
    let composed = fixture_json("files.composed.json");
    let id = "8a2c1d3e-4f5a-4b6c-9d7e-0f1a2b3c4d5e";
    as_key_user("GET", base.clone())
        .once(
            &server,
            ResponseTemplate::new(200).set_body_json(json!({"data": [], "hasNext": false})),
        )
        .await;
    as_key_user("GET", format!("{base}/{id}"))
        .once(
            &server,
            ResponseTemplate::new(200).set_body_json(&composed["resume"]),
        )
        .await;
    as_key_user("GET", format!("{base}/{id}/download"))
        .once(
            &server,
            ResponseTemplate::new(422).set_body_json(
                json!({"code": "UnprocessableEntity", "message": "The file could not be processed"}),
            ),
        )
        .await;
    let lever = client(&server);
    let resumes = lever.resumes(&OpportunityId::from(OPP));
    let all: Vec<_> = resumes.list().try_collect().await.unwrap();
    assert!(all.is_empty());
    let one = resumes.get(&ResumeId::from(id)).await.unwrap();
    assert_eq!(one.parsed_data.unwrap()["positions"][0]["org"], "Acme");
    let err = resumes.download(&ResumeId::from(id)).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(422), "{err}");
}

#[tokio::test]
async fn uploads_stage_a_file() {
    let server = server().await;
    let composed = fixture_json("files.composed.json");
    as_key_user("POST", "/v1/uploads")
        .and(QueryIs(vec![]))
        .and(multipart_file("portfolio.pdf", b"%PDF-1.4 hello"))
        .once(
            &server,
            ResponseTemplate::new(200).set_body_json(&composed["upload"]),
        )
        .await;
    let upload = client(&server)
        .uploads()
        .create(&FileUpload::new(
            "portfolio.pdf",
            b"%PDF-1.4 hello".to_vec(),
        ))
        .await
        .unwrap();
    assert_eq!(upload.filename.as_deref(), Some("portfolio.pdf"));
    assert_eq!(upload.expires_at, Some(1783061400000));
}
