"""Interface strings and date formats for the languages the theme ships with."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from .model import Localized

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "home": "Home", "news": "News", "projects": "Projects", "partners": "Partners", "tags": "Topics",
        "latest_news": "Latest news", "all_news": "All news", "project_status": "Project status",
        "min_read": "min read", "by": "By", "tagged": "Topics", "related_projects": "Projects",
        "related_partners": "Partners", "related_news": "Related news", "no_news": "No news yet.",
        "milestones": "Milestones", "done": "Done", "upcoming": "Upcoming", "lead": "Lead partner",
        "status": "Status", "area": "Area", "started": "Started", "last_update": "Last update",
        "partner_projects": "Joint projects", "website": "Website", "location": "Location",
        "page": "Page", "previous": "Newer", "next": "Older", "skip": "Skip to content",
        "not_found": "Page not found", "not_found_text": "The page you asked for does not exist or has moved.",
        "contents": "On this page", "subscribe": "Subscribe (Atom feed)", "language": "Language",
        "draft": "Draft", "kind": "Type", "tagged_with": "Topic", "pagination": "Pagination",
        "main_nav": "Main", "status_planned": "Planned", "status_signed": "Signed", "status_active": "Active",
        "status_paused": "Paused", "status_completed": "Completed", "status_cancelled": "Cancelled",
        "kind_hospital": "Hospital", "kind_university": "University", "kind_government": "Government",
        "kind_company": "Company", "kind_other": "Organisation", "milestone": "Milestone",
        "project_news": "News and milestones", "none": "None yet.",
        "scheduled": "Scheduled for", "withdrawn": "Withdrawn",
        "withdrawn_on": "This was withdrawn on {date} and is no longer published.",
        "search": "Search", "search_label": "Search this site", "search_hint": "Type a word or two and press Enter.",
        "search_busy": "Searching…", "search_one": "1 result for “{q}”", "search_many": "{n} results for “{q}”",
        "search_none": "No results for “{q}”.", "search_failed": "Search is not available right now.",
        "search_noscript": "Search needs JavaScript, which is off in this browser.", "search_browse": "Browse all news",
        "search_results": "Results", "type_news": "News", "type_project": "Project", "type_partner": "Partner",
        "type_page": "Page", "search_more": "More results",
        "overdue": "Overdue", "timeline": "Timeline", "since": "since {date}", "progress": "Milestones done",
        "progress_value": "{done} of {total}", "next_milestone": "Next milestone", "project_updates": "Project updates",
        "status_now": "Status: {status}", "milestone_now": "Milestone: {title}", "report": "Read the report",
        "calendar": "Subscribe to the milestones in your calendar", "calendar_all": "Every project's milestones in your calendar",
        "calendar_file": "download the .ics file", "overdue_milestones": "Overdue milestones",
    },
    "zh": {
        "home": "首页", "news": "新闻", "projects": "合作项目", "partners": "合作单位", "tags": "主题",
        "latest_news": "最新消息", "all_news": "全部新闻", "project_status": "项目进展",
        "min_read": "分钟阅读", "by": "作者", "tagged": "主题", "related_projects": "相关项目",
        "related_partners": "相关单位", "related_news": "相关新闻", "no_news": "暂无新闻。",
        "milestones": "里程碑", "done": "已完成", "upcoming": "计划中", "lead": "牵头单位",
        "status": "状态", "area": "领域", "started": "启动日期", "last_update": "最近更新",
        "partner_projects": "合作项目", "website": "网站", "location": "地点",
        "page": "第", "previous": "较新", "next": "较早", "skip": "跳到正文",
        "not_found": "页面不存在", "not_found_text": "您访问的页面不存在或已移动。",
        "contents": "本页目录", "subscribe": "订阅（Atom）", "language": "语言",
        "draft": "草稿", "kind": "类型", "tagged_with": "主题", "pagination": "分页",
        "main_nav": "主导航", "status_planned": "筹备中", "status_signed": "已签约", "status_active": "进行中",
        "status_paused": "已暂停", "status_completed": "已完成", "status_cancelled": "已取消",
        "kind_hospital": "医院", "kind_university": "大学", "kind_government": "政府部门",
        "kind_company": "企业", "kind_other": "机构", "milestone": "里程碑",
        "project_news": "新闻与里程碑", "none": "暂无。",
        "scheduled": "定时发布于", "withdrawn": "已撤下",
        "withdrawn_on": "此内容已于{date}撤下，不再发布。",
        "search": "搜索", "search_label": "搜索本站", "search_hint": "输入关键词后按回车键。",
        "search_busy": "正在搜索…", "search_one": "找到 1 条与“{q}”相关的结果", "search_many": "找到 {n} 条与“{q}”相关的结果",
        "search_none": "没有找到与“{q}”相关的结果。", "search_failed": "搜索暂时无法使用。",
        "search_noscript": "搜索需要 JavaScript，但此浏览器已将其关闭。", "search_browse": "浏览全部新闻",
        "search_results": "搜索结果", "type_news": "新闻", "type_project": "合作项目", "type_partner": "合作单位",
        "type_page": "页面", "search_more": "更多结果",
        "overdue": "已逾期", "timeline": "时间线", "since": "自{date}起", "progress": "已完成里程碑",
        "progress_value": "{done} / {total}", "next_milestone": "下一个里程碑", "project_updates": "项目动态",
        "status_now": "状态：{status}", "milestone_now": "里程碑：{title}", "report": "阅读相关报道",
        "calendar": "在日历中订阅里程碑", "calendar_all": "在日历中订阅全部项目的里程碑",
        "calendar_file": "下载 .ics 文件", "overdue_milestones": "逾期里程碑",
    },
}  # fmt: skip

LANGUAGE_NAMES = {"en": "English", "zh": "中文"}
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December")


def translate(key: str, lang: str) -> str:
    return STRINGS.get(lang, STRINGS["en"]).get(key) or STRINGS["en"][key]


def format_date(day: date, lang: str) -> str:
    if lang == "zh":
        return f"{day.year}年{day.month}月{day.day}日"
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def localize(value: Localized, lang: str, languages: Sequence[str]) -> str:
    """The text in `lang`, else in the first of `languages` (site.yaml's order, the default
    language first) that has it: a partner named only in Chinese keeps its name on English pages.
    Empty only when the field is empty in every language."""
    return value.get(lang) or next((value[other] for other in languages if value.get(other)), "")
