//! A minimal browser for the authorization server's HTML pages: keeps cookies, never follows
//! redirects (tests look at each `Location`), and reads the hidden fields of a page's form.

use std::collections::HashMap;
use std::sync::Mutex;

pub struct Browser {
    http: reqwest::Client,
    base_url: String,
    cookies: Mutex<HashMap<String, String>>,
}

pub struct Page {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Page {
    pub fn location(&self) -> Option<String> {
        self.headers
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(String::from)
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(String::from)
    }

    /// The action and hidden fields of the page's POST form.
    pub fn form(&self) -> (String, Vec<(String, String)>) {
        form_fields(&self.body).unwrap_or_else(|| {
            panic!(
                "the page has no form (status {}): {}",
                self.status, self.body
            )
        })
    }

    /// A query or fragment parameter of the redirect's Location.
    pub fn location_param(&self, name: &str) -> Option<String> {
        let location = self.location()?;
        let tail = location
            .split_once('#')
            .map(|(_, f)| f.to_string())
            .or_else(|| location.split_once('?').map(|(_, q)| q.to_string()))?;
        form_urlencoded::parse(tail.as_bytes())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }
}

fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

fn attribute(tag: &str, name: &str) -> Option<String> {
    let needle = format!("{name}=\"");
    let start = tag.find(&needle)? + needle.len();
    let end = tag[start..].find('"')? + start;
    Some(unescape(&tag[start..end]))
}

/// The action and hidden inputs of the first `method="post"` form in `html`.
pub fn form_fields(html: &str) -> Option<(String, Vec<(String, String)>)> {
    let start = html.find("<form method=\"post\"")?;
    let end = html[start..].find("</form>")? + start;
    let form = &html[start..end];
    let action = attribute(&form[..form.find('>')?], "action")?;
    let fields = form
        .split("<input")
        .skip(1)
        .filter_map(|tag| {
            let tag = &tag[..tag.find('>')?];
            (attribute(tag, "type")? == "hidden")
                .then(|| Some((attribute(tag, "name")?, attribute(tag, "value")?)))
                .flatten()
        })
        .collect();
    Some((action, fields))
}

impl Browser {
    pub fn new(base_url: &str) -> Self {
        Self {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("a client"),
            base_url: base_url.to_string(),
            cookies: Mutex::new(HashMap::new()),
        }
    }

    fn absolute(&self, path_or_url: &str) -> String {
        if path_or_url.starts_with("http") {
            path_or_url.to_string()
        } else {
            format!("{}{path_or_url}", self.base_url)
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .lock()
            .expect("cookies")
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// Forgets the sign-in session (keeps the CSRF cookie).
    pub fn forget_session(&self) {
        self.cookies
            .lock()
            .expect("cookies")
            .remove("roster_session");
    }

    async fn finish(&self, request: reqwest::RequestBuilder) -> Page {
        let response = request
            .header("cookie", self.cookie_header())
            .send()
            .await
            .expect("the server answers");
        for value in response.headers().get_all("set-cookie") {
            let text = value.to_str().expect("an ASCII cookie");
            let pair = text.split(';').next().unwrap_or("");
            if let Some((name, value)) = pair.split_once('=') {
                let mut cookies = self.cookies.lock().expect("cookies");
                if text.contains("Max-Age=0") {
                    cookies.remove(name);
                } else {
                    cookies.insert(name.to_string(), value.to_string());
                }
            }
        }
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.text().await.expect("a body");
        Page {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, path_or_url: &str) -> Page {
        self.finish(self.http.get(self.absolute(path_or_url))).await
    }

    pub async fn post_form(&self, path_or_url: &str, fields: &[(String, String)]) -> Page {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        self.finish(
            self.http
                .post(self.absolute(path_or_url))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body),
        )
        .await
    }

    /// Fills in a sign-in page and submits it.
    pub async fn submit_sign_in(&self, page: &Page, email: &str, password: &str) -> Page {
        let (action, mut fields) = page.form();
        fields.push(("username".into(), email.into()));
        fields.push(("password".into(), password.into()));
        self.post_form(&action, &fields).await
    }

    /// Submits a consent page's decision (`allow` or `deny`).
    pub async fn decide(&self, page: &Page, decision: &str) -> Page {
        let (action, mut fields) = page.form();
        fields.push(("decision".into(), decision.into()));
        self.post_form(&action, &fields).await
    }
}
