//! The country and state codes Account Services accepts: ISO 3166-1 alpha-2 for countries, and
//! for the two countries whose addresses use a state code (US and CA), their postal
//! abbreviations (US states, DC, territories and military "states"; CA provinces and
//! territories).

const COUNTRIES: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI \
BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ \
DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ \
GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN \
KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS \
MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT \
PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF \
TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM \
ZW";

const US_STATES: &str = "AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS \
MO MT NE NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC AS GU MP PR VI \
UM AA AE AP";

const CA_PROVINCES: &str = "AB BC MB NB NL NS NT NU ON PE QC SK YT";

fn listed(list: &str, code: &str) -> bool {
    code.len() == 2 && list.split_ascii_whitespace().any(|c| c == code)
}

/// An upper-case ISO 3166-1 alpha-2 code.
pub fn is_country(code: &str) -> bool {
    listed(COUNTRIES, code)
}

/// Whether addresses in `country` use a state code (and a postal code).
pub fn has_states(country: &str) -> bool {
    country == "US" || country == "CA"
}

/// An upper-case state code of `country` (US or CA).
pub fn is_state(country: &str, code: &str) -> bool {
    match country {
        "US" => listed(US_STATES, code),
        "CA" => listed(CA_PROVINCES, code),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lists_are_complete_and_sorted_where_it_matters() {
        let countries: Vec<&str> = COUNTRIES.split_ascii_whitespace().collect();
        assert_eq!(countries.len(), 249);
        let mut sorted = countries.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted, countries);
        assert_eq!(US_STATES.split_ascii_whitespace().count(), 60);
        assert_eq!(CA_PROVINCES.split_ascii_whitespace().count(), 13);
    }

    #[test]
    fn codes_are_exact() {
        assert!(is_country("US") && is_country("DE") && !is_country("us") && !is_country("XX"));
        assert!(is_state("US", "MA") && is_state("CA", "QC") && !is_state("CA", "MA"));
        assert!(!is_state("DE", "BY") && !is_country("U S"));
    }
}
