//! What an open or a click came from, read from its User-Agent (docs/TRACKING.md, "Devices and
//! machine opens"): a device class, and whether it was a machine rather than the recipient.
//! Neither the User-Agent nor anything else about the client is stored; only this result is.
//!
//! The rule, in order:
//! 1. **Machine** (device `none`): no User-Agent at all; exactly `Mozilla/5.0`, what Apple Mail
//!    Privacy Protection's proxy sends when it fetches every image of every message on
//!    delivery; a link scanner or preview service naming itself ([`MACHINE_MARKS`]: mail
//!    security gateways, HTTP libraries, chat link previews); anything woothee classes as a
//!    crawler.
//! 2. **Image proxies that fetch when the reader opens** (Gmail's `GoogleImageProxy`, Yahoo's
//!    `YahooMailProxy`): the recipient's own open, device `other`, since the proxy's
//!    User-Agent is the same for every reader and says nothing about their device.
//! 3. **Tablet**: an iPad, an Android device without `Mobile` (Android's convention for
//!    tablets), a Kindle (`Silk`, `KF…`) or a PlayBook. Checked before woothee, which counts
//!    iPads and Android tablets as smartphones.
//! 4. woothee 0.13's category: `smartphone` and `mobilephone` are `mobile`, `pc` is
//!    `computer`, `appliance` (consoles, TVs) is `other`.
//! 5. What woothee does not know: desktop mail clients (Outlook's `ms-office` and
//!    `Microsoft Outlook`, Windows, macOS and X11 platforms) are `computer`; `iPhone`, `iPod`
//!    or `Mobile` is `mobile`; anything else is `other`.

use std::collections::HashMap;
use std::sync::Mutex;

use roster_domain::tracking::Device;

/// What a User-Agent says about the event's source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Source {
    pub device: Device,
    /// A known machine opener or link scanner (its device is always `none`).
    pub machine: bool,
}

impl Source {
    const MACHINE: Source = Source {
        device: Device::None,
        machine: true,
    };

    fn human(device: Device) -> Source {
        Source {
            device,
            machine: false,
        }
    }
}

/// Lower-case marks of link scanners, mail security gateways and preview services that name
/// themselves in their User-Agent.
pub const MACHINE_MARKS: &[&str] = &[
    // Mail security gateways that follow every link on delivery.
    "barracuda",
    "proofpoint",
    "urldefense",
    "mimecast",
    "ciscosecureemail",
    "ironport",
    "trendmicro",
    "trend micro",
    "fortimail",
    "fortiguard",
    "sophos",
    "symantec",
    "forcepoint",
    "zscaler",
    "bitdefender",
    "safelinks",
    // Office's check that a link exists, before any window opens.
    "microsoft office existence discovery",
    // HTTP libraries and headless browsers: scripts, not readers.
    "python-requests",
    "python-urllib",
    "aiohttp",
    "curl/",
    "wget/",
    "go-http-client",
    "java/",
    "apache-httpclient",
    "jetty",
    "lua-resty-http",
    "libwww-perl",
    "node-fetch",
    "axios/",
    "scrapy",
    "headlesschrome",
    "phantomjs",
    // Link previews of chat and social services.
    "slackbot",
    "facebookexternalhit",
    "twitterbot",
    "linkedinbot",
    "discordbot",
    "telegrambot",
    "whatsapp/",
    "skypeuripreview",
];

/// Image proxies that fetch a message's images when its reader opens it.
const OPENING_PROXIES: &[&str] = &["googleimageproxy", "yahoomailproxy"];

/// Classifies one User-Agent (None when the request had none). Pure; see the module's rule.
pub fn classify(user_agent: Option<&str>) -> Source {
    let Some(agent) = user_agent.map(str::trim).filter(|a| !a.is_empty()) else {
        return Source::MACHINE;
    };
    if agent == "Mozilla/5.0" {
        return Source::MACHINE;
    }
    let lower = agent.to_ascii_lowercase();
    if MACHINE_MARKS.iter().any(|mark| lower.contains(mark)) {
        return Source::MACHINE;
    }
    if OPENING_PROXIES.iter().any(|proxy| lower.contains(proxy)) {
        return Source::human(Device::Other);
    }
    let parsed = woothee::parser::Parser::new().parse(agent);
    if parsed.as_ref().is_some_and(|p| p.category == "crawler") {
        return Source::MACHINE;
    }
    if is_tablet(agent) {
        return Source::human(Device::Tablet);
    }
    let device = match parsed.as_ref().map(|p| p.category) {
        Some("smartphone" | "mobilephone") => Device::Mobile,
        Some("pc") => Device::Computer,
        Some("appliance") => Device::Other,
        _ => unknown_to_woothee(agent, &lower),
    };
    Source::human(device)
}

fn is_tablet(agent: &str) -> bool {
    agent.contains("iPad")
        || (agent.contains("Android") && !agent.contains("Mobile"))
        || agent.contains("Silk/")
        || agent.contains("; KF")
        || agent.contains("PlayBook")
}

fn unknown_to_woothee(agent: &str, lower: &str) -> Device {
    let desktop_client = lower.contains("ms-office")
        || lower.contains("microsoft outlook")
        || lower.contains("microsoft office");
    let desktop_platform =
        agent.contains("Windows NT") || agent.contains("Macintosh") || agent.contains("X11");
    if agent.contains("iPhone") || agent.contains("iPod") || agent.contains("Mobile") {
        Device::Mobile
    } else if desktop_client || desktop_platform {
        Device::Computer
    } else {
        Device::Other
    }
}

/// [`classify`] with a cache per User-Agent string: mail clients send a handful of distinct
/// strings, and the pixel asks for each many times.
pub struct UserAgentCache {
    cache: Mutex<HashMap<String, Source>>,
}

/// Distinct strings kept; beyond it the cache starts afresh (a flood of made-up User-Agents
/// must not grow memory without bound).
const CACHED_AGENTS: usize = 4096;

/// The longest User-Agent classified; longer ones are classified by their first this many
/// bytes (at a character boundary) and not cached.
const MAX_AGENT_BYTES: usize = 512;

impl Default for UserAgentCache {
    fn default() -> Self {
        Self {
            cache: Mutex::new(HashMap::new()),
        }
    }
}

impl UserAgentCache {
    pub fn classify(&self, user_agent: Option<&str>) -> Source {
        let Some(agent) = user_agent else {
            return classify(None);
        };
        if agent.len() > MAX_AGENT_BYTES {
            let mut end = MAX_AGENT_BYTES;
            while !agent.is_char_boundary(end) {
                end -= 1;
            }
            return classify(Some(&agent[..end]));
        }
        if let Ok(cache) = self.cache.lock() {
            if let Some(source) = cache.get(agent) {
                return *source;
            }
        }
        let source = classify(Some(agent));
        if let Ok(mut cache) = self.cache.lock() {
            if cache.len() >= CACHED_AGENTS {
                cache.clear();
            }
            cache.insert(agent.to_string(), source);
        }
        source
    }
}

#[cfg(test)]
mod tests;
