//! The services as the welcome and the in-session services screen show them: grouped by
//! need (the packs' [`Category`]), each group with its heading in the person's language, and
//! the texts of the filter box and of the high-contrast switch.
//!
//! Every group is on the one screen, one under the other (scrolling), so every service is one
//! tap away; when there are more than [`FILTER_FROM`] services, a filter box and a row of the
//! groups' names (each takes the screen to its group) come first, so that every service is
//! also two taps away without scrolling.

use serde::Serialize;

use crate::lang::Lang;
use crate::policy::{Category, Service};

/// More services than this: the filter box and the groups' row show.
pub(crate) const FILTER_FROM: usize = 12;

/// The order of the groups: the needs people come for most first; logging in (eID, itsme)
/// and the rest last.
const ORDER: [Category; 14] = [
    Category::Taxes,
    Category::Pension,
    Category::Health,
    Category::Family,
    Category::Unemployment,
    Category::Employment,
    Category::Administration,
    Category::Housing,
    Category::Mobility,
    Category::Justice,
    Category::Banking,
    Category::Utilities,
    Category::Identity,
    Category::Other,
];

/// One group of services: its category (for its icon), its heading, and its services
/// (indexes into [`super::toolbar::UiState`]'s `services`).
#[derive(Debug, Serialize)]
pub(crate) struct GroupItem {
    pub(crate) category: &'static str,
    pub(crate) name: &'static str,
    pub(crate) services: Vec<usize>,
}

/// The services, grouped in [`ORDER`], each group in the services' own order; empty groups
/// are left out.
pub(crate) fn groups(services: &[&Service], lang: Lang) -> Vec<GroupItem> {
    ORDER
        .iter()
        .filter_map(|&category| {
            let members: Vec<usize> = services
                .iter()
                .enumerate()
                .filter(|(_, s)| s.category == category)
                .map(|(i, _)| i)
                .collect();
            (!members.is_empty()).then(|| GroupItem {
                category: category.as_str(),
                name: welcome_texts(lang).category(category),
                services: members,
            })
        })
        .collect()
}

/// The welcome's texts in one language: the groups' headings, the filter box, the switch.
#[derive(Debug, Serialize)]
pub(crate) struct WelcomeTexts {
    /// The filter box's label.
    pub(crate) filter_label: &'static str,
    /// Said when the filter matches no service.
    pub(crate) nothing_found: &'static str,
    /// The name of the row of groups' names (a navigation landmark).
    pub(crate) groups_label: &'static str,
    /// The high-contrast switch.
    pub(crate) high_contrast: &'static str,
    #[serde(skip)]
    categories: [&'static str; 14],
}

impl WelcomeTexts {
    /// The heading of `category`'s group.
    pub(crate) fn category(&self, category: Category) -> &'static str {
        let i = ORDER.iter().position(|c| *c == category).unwrap_or(13);
        self.categories[i]
    }
}

/// The table for `lang`.
pub(crate) fn welcome_texts(lang: Lang) -> &'static WelcomeTexts {
    match lang {
        Lang::Fr => &FR,
        Lang::Nl => &NL,
        Lang::De => &DE,
        Lang::En => &EN,
    }
}

// In ORDER: taxes, pension, health, family, unemployment, employment, administration,
// housing, mobility, justice, banking, utilities, identity, other.
static FR: WelcomeTexts = WelcomeTexts {
    filter_label: "Chercher un service",
    nothing_found: "Aucun service ne correspond. Effacez ou changez le mot cherché.",
    groups_label: "Aller à",
    high_contrast: "Contraste élevé",
    categories: [
        "Impôts",
        "Pension",
        "Santé",
        "Famille",
        "Chômage",
        "Travail",
        "Commune et papiers",
        "Logement",
        "Transports",
        "Justice",
        "Banque",
        "Énergie, eau et poste",
        "Se connecter",
        "Autres services",
    ],
};

static NL: WelcomeTexts = WelcomeTexts {
    filter_label: "Een dienst zoeken",
    nothing_found: "Geen enkele dienst past. Wis of verander het zoekwoord.",
    groups_label: "Ga naar",
    high_contrast: "Hoog contrast",
    categories: [
        "Belastingen",
        "Pensioen",
        "Gezondheid",
        "Gezin",
        "Werkloosheid",
        "Werk",
        "Gemeente en papieren",
        "Wonen",
        "Vervoer",
        "Justitie",
        "Bank",
        "Energie, water en post",
        "Aanmelden",
        "Andere diensten",
    ],
};

static DE: WelcomeTexts = WelcomeTexts {
    filter_label: "Einen Dienst suchen",
    nothing_found: "Kein Dienst passt. Löschen oder ändern Sie das Suchwort.",
    groups_label: "Gehe zu",
    high_contrast: "Hoher Kontrast",
    categories: [
        "Steuern",
        "Rente",
        "Gesundheit",
        "Familie",
        "Arbeitslosigkeit",
        "Arbeit",
        "Gemeinde und Papiere",
        "Wohnen",
        "Verkehr",
        "Justiz",
        "Bank",
        "Energie, Wasser und Post",
        "Anmelden",
        "Andere Dienste",
    ],
};

static EN: WelcomeTexts = WelcomeTexts {
    filter_label: "Search for a service",
    nothing_found: "No service matches. Clear or change the word you searched for.",
    groups_label: "Go to",
    high_contrast: "High contrast",
    categories: [
        "Taxes",
        "Pension",
        "Health",
        "Family",
        "Unemployment",
        "Work",
        "Town hall and papers",
        "Housing",
        "Transport",
        "Justice",
        "Banking",
        "Energy, water and post",
        "Logging in",
        "Other services",
    ],
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_has_every_welcome_text_and_every_group_its_own_name() {
        for lang in Lang::ALL {
            let t = welcome_texts(lang);
            let json = serde_json::to_value(t).unwrap();
            for (key, value) in json.as_object().unwrap() {
                assert!(!value.as_str().unwrap().trim().is_empty(), "{key} {lang:?}");
            }
            let mut names: Vec<&str> = ORDER.iter().map(|c| t.category(*c)).collect();
            assert!(names.iter().all(|n| !n.trim().is_empty()), "{lang:?}");
            names.sort_unstable();
            names.dedup();
            assert_eq!(names.len(), ORDER.len(), "{lang:?}");
        }
        // Every category has its place in the order (a new one must be placed).
        let mut all: Vec<&str> = ORDER.iter().map(|c| c.as_str()).collect();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), 14);
    }

    fn service(id: &str, category: Category) -> Service {
        Service {
            id: id.into(),
            pack: "p".into(),
            names: crate::lang::Localized::same(id),
            category,
            start_url: crate::policy::StartUrls::same("https://a.test/".parse().unwrap()),
            allow: vec![],
            resources: vec![],
            logout_url: None,
            permissions: vec![],
        }
    }

    #[test]
    fn services_are_grouped_by_need_in_order_without_empty_groups() {
        let list = [
            service("itsme", Category::Identity),
            service("tax", Category::Taxes),
            service("mut", Category::Health),
            service("tax2", Category::Taxes),
        ];
        let refs: Vec<&Service> = list.iter().collect();
        let g = groups(&refs, Lang::Nl);
        let got: Vec<(&str, &str, Vec<usize>)> = g
            .iter()
            .map(|g| (g.category, g.name, g.services.clone()))
            .collect();
        assert_eq!(
            got,
            [
                ("taxes", "Belastingen", vec![1, 3]),
                ("health", "Gezondheid", vec![2]),
                ("identity", "Aanmelden", vec![0]),
            ]
        );
    }
}
