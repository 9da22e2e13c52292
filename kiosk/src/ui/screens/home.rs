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
    /// The hall clock: 09:30 and 2026年11月23日 星期一.
    pub(crate) fn show_clock(&self, window: &AppWindow, now: NaiveDateTime) {
        const WEEKDAYS: [&str; 7] = ["一", "二", "三", "四", "五", "六", "日"];
        let hall = window.global::<Hall>();
        hall.set_time_text(now.format("%H:%M").to_string().into());
        let weekday = WEEKDAYS[now.weekday().num_days_from_monday() as usize];
        hall.set_date_text(format!("{} 星期{weekday}", now.format("%Y年%-m月%-d日")).into());
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
