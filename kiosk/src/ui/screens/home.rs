//! Home: the hall's name, the hotline, the content's version, and the tiles into every screen.
//! It holds nothing of a resident.

use std::rc::Weak;

use anyhow::Result;
use chrono::{Datelike, NaiveDateTime};
use slint::ComponentHandle;

use super::{on, DemoArgs, Kiosk, Screen, ScreenType};
use crate::app::config::Config;
use crate::ui::{AppWindow, Hall};

pub(crate) struct HomeScreen;

impl HomeScreen {
    /// The hall clock: 09:30, and the day as numbers the page writes in the kiosk's language
    /// (2026年11月23日 星期一).
    pub(crate) fn show_clock(&self, window: &AppWindow, now: NaiveDateTime) {
        let hall = window.global::<Hall>();
        hall.set_time_text(now.format("%H:%M").to_string().into());
        hall.set_year(now.year());
        hall.set_month(now.month() as i32);
        hall.set_day(now.day() as i32);
        hall.set_weekday(now.weekday().num_days_from_monday() as i32);
    }

    /// The hall and content the open store generation describes.
    pub(crate) fn show_store_info(&self, k: &dyn Kiosk) {
        let store = k.store();
        let info = store.info();
        let hall = k.window().global::<Hall>();
        hall.set_name(crate::text::zh::institution_name(&info.deployment.hall_name).into());
        hall.set_hotline(info.deployment.hotline.as_str().into());
        hall.set_website(info.deployment.website.as_str().into());
        hall.set_content_version(info.content_version.as_str().into());
        hall.set_content_date(crate::text::zh::date(&info.created_at).into());
        let day = info.created_at.get(..10).and_then(|d| d.parse::<chrono::NaiveDate>().ok());
        hall.set_content_year(day.map_or(0, |d| d.year()));
        hall.set_content_month(day.map_or(0, |d| d.month() as i32));
        hall.set_content_day(day.map_or(0, |d| d.day() as i32));
    }
}

impl ScreenType for HomeScreen {
    /// `languages`: home with the language chooser open.
    const DEMOS: &'static [&'static str] = &["home", "languages"];

    fn new(_: &AppWindow, _: &Config) -> Self {
        HomeScreen
    }

    fn wire(window: &AppWindow, k: &Weak<dyn Kiosk>) {
        let hall = window.global::<Hall>();
        on!(k, hall, on_open_library, |c| c.screens().library.open_library(&*c));
        on!(k, hall, on_open_search, |c| c.screens().search.open_search(&*c));
    }
}

impl Screen for HomeScreen {
    fn reset(&self, _: &dyn Kiosk) {}

    fn session_state(&self, _: &dyn Kiosk) -> String {
        String::new()
    }

    fn show_demo(&self, k: &dyn Kiosk, name: &str, _: &DemoArgs) -> Result<()> {
        if name == "languages" {
            k.window().global::<crate::ui::Access>().invoke_open_languages();
        }
        Ok(())
    }
}
