//! The fixture table that pins the classifier: real User-Agent strings of mail clients on
//! computers, phones and tablets, webmail in browsers, image proxies, Apple Mail Privacy
//! Protection, crawlers, link scanners and scripts.

use super::*;

use Device::{Computer, Mobile, Other, Tablet};

/// (User-Agent, device, machine).
const FIXTURES: &[(&str, Device, bool)] = &[
    // Desktop mail clients.
    (
        "Mozilla/4.0 (compatible; ms-office; MSOffice 16)",
        Computer,
        false,
    ),
    (
        "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17126; Pro)",
        Computer,
        false,
    ),
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:115.0) Gecko/20100101 Thunderbird/115.6.0",
        Computer,
        false,
    ),
    (
        "Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Gecko/20100101 Thunderbird/115.6.0",
        Computer,
        false,
    ),
    (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)",
        Computer,
        false,
    ),
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; WebView/3.0) AppleWebKit/537.36 (KHTML, \
         like Gecko) Chrome/70.0.3538.102 Safari/537.36 Edge/18.19045",
        Computer,
        false,
    ),
    // Webmail in desktop browsers.
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) \
         Chrome/120.0.0.0 Safari/537.36",
        Computer,
        false,
    ),
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) \
         Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91",
        Computer,
        false,
    ),
    (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:121.0) Gecko/20100101 Firefox/121.0",
        Computer,
        false,
    ),
    (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like \
         Gecko) Version/17.2 Safari/605.1.15",
        Computer,
        false,
    ),
    (
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) \
         Chrome/120.0.0.0 Safari/537.36",
        Computer,
        false,
    ),
    // Phones: Apple Mail, Gmail, Samsung Email, browsers.
    (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, \
         like Gecko) Mobile/15E148",
        Mobile,
        false,
    ),
    (
        "Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/UD1A.231105.004; wv) AppleWebKit/537.36 \
         (KHTML, like Gecko) Version/4.0 Chrome/120.0.6099.193 Mobile Safari/537.36",
        Mobile,
        false,
    ),
    (
        "Mozilla/5.0 (Linux; Android 13; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) \
         SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36",
        Mobile,
        false,
    ),
    (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, \
         like Gecko) CriOS/120.0.6099.119 Mobile/15E148 Safari/604.1",
        Mobile,
        false,
    ),
    (
        "Mozilla/5.0 (Android 14; Mobile; rv:121.0) Gecko/121.0 Firefox/121.0",
        Mobile,
        false,
    ),
    (
        "Mozilla/5.0 (compatible; MSIE 10.0; Windows Phone 8.0; Trident/6.0; IEMobile/10.0; \
         ARM; Touch; NOKIA; Lumia 920)",
        Mobile,
        false,
    ),
    (
        "Mozilla/5.0 (iPod touch; CPU iPhone OS 12_5 like Mac OS X) AppleWebKit/605.1.15 \
         (KHTML, like Gecko) Mobile/15E148",
        Mobile,
        false,
    ),
    // Tablets: Roster's rule (iPad; Android without Mobile; Kindle).
    (
        "Mozilla/5.0 (iPad; CPU OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) \
         Mobile/15E148",
        Tablet,
        false,
    ),
    (
        "Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) \
         Chrome/120.0.0.0 Safari/537.36",
        Tablet,
        false,
    ),
    (
        "Mozilla/5.0 (Linux; Android 12; Lenovo TB-J606F Build/SP1A.210812.016; wv) \
         AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/119.0.6045.193 \
         Safari/537.36",
        Tablet,
        false,
    ),
    (
        "Mozilla/5.0 (Linux; Android 9; KFMAWI) AppleWebKit/537.36 (KHTML, like Gecko) \
         Silk/120.3.1 like Chrome/120.0.6099.230 Safari/537.36",
        Tablet,
        false,
    ),
    (
        "Mozilla/5.0 (Android 14; Tablet; rv:121.0) Gecko/121.0 Firefox/121.0",
        Tablet,
        false,
    ),
    // Other devices.
    (
        "Mozilla/5.0 (PlayStation 4 3.11) AppleWebKit/537.73 (KHTML, like Gecko)",
        Other,
        false,
    ),
    ("SomeMailClient/1.0", Other, false),
    // Image proxies that fetch when the reader opens: the reader's open, device unknown.
    (
        "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com \
         GoogleImageProxy)",
        Other,
        false,
    ),
    (
        "YahooMailProxy; https://help.yahoo.com/kb/yahoo-mail-proxy-SLN28749.html",
        Other,
        false,
    ),
    // Machines: Apple Mail Privacy Protection, crawlers, scanners, previews, scripts.
    ("Mozilla/5.0", Device::None, true),
    (
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        Device::None,
        true,
    ),
    (
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        Device::None,
        true,
    ),
    ("Microsoft Office Existence Discovery", Device::None, true),
    (
        "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
        Device::None,
        true,
    ),
    (
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        Device::None,
        true,
    ),
    (
        "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
        Device::None,
        true,
    ),
    ("python-requests/2.31.0", Device::None, true),
    ("curl/8.5.0", Device::None, true),
    ("Go-http-client/1.1", Device::None, true),
    ("Java/1.8.0_292", Device::None, true),
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) \
         HeadlessChrome/120.0.6099.71 Safari/537.36",
        Device::None,
        true,
    ),
    ("", Device::None, true),
];

#[test]
fn the_fixture_table_pins_every_result() {
    assert!(FIXTURES.len() >= 30);
    let mut wrong = Vec::new();
    for (agent, device, machine) in FIXTURES {
        let got = classify(Some(agent));
        if got
            != (Source {
                device: *device,
                machine: *machine,
            })
        {
            wrong.push(format!("{agent:?}: {got:?}, expected {device:?}/{machine}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn no_user_agent_is_a_machine_and_the_cache_agrees_with_the_rule() {
    assert_eq!(classify(None), Source::MACHINE);
    let cache = UserAgentCache::default();
    for (agent, _, _) in FIXTURES {
        assert_eq!(cache.classify(Some(agent)), classify(Some(agent)));
        assert_eq!(cache.classify(Some(agent)), classify(Some(agent)), "cached");
    }
    let long = format!("Mozilla/5.0 (iPad; {})", "é".repeat(1000));
    assert_eq!(cache.classify(Some(&long)).device, Device::Tablet);
}
