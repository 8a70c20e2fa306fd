//! Small embedded word lists the fake-data dynamic variables draw from.
//!
//! Postman uses faker's English locale; Baton only needs values of the same shape and flavour,
//! so each list is a short hand-picked sample rather than a copy of faker's data.

/// Given names.
pub(super) const FIRST_NAMES: &[&str] = &[
    "Ada", "Alan", "Amara", "Brenda", "Bruno", "Camila", "Carlos", "Chloe", "Dante", "Daria",
    "Edith", "Elena", "Felix", "Fiona", "Grace", "Hamid", "Hugo", "Ines", "Ivan", "Jasper", "Joan",
    "Kai", "Keiko", "Lars", "Leila", "Marco", "Maya", "Nadia", "Noah", "Olga", "Omar", "Priya",
    "Quinn", "Rosa", "Ruben", "Sofia", "Tariq", "Tess", "Uma", "Victor", "Wanda", "Yara", "Zane",
];

/// Family names.
pub(super) const LAST_NAMES: &[&str] = &[
    "Abbott",
    "Bauer",
    "Becker",
    "Carter",
    "Dalton",
    "Eriksen",
    "Fischer",
    "Garcia",
    "Hartmann",
    "Ibsen",
    "Jensen",
    "Kowalski",
    "Larsen",
    "Moreau",
    "Novak",
    "Okafor",
    "Petrov",
    "Quigley",
    "Rossi",
    "Schmidt",
    "Tanaka",
    "Ulrich",
    "Vargas",
    "Walsh",
    "Xu",
    "Young",
    "Zimmerman",
];

/// Honorifics before a name.
pub(super) const NAME_PREFIXES: &[&str] = &["Mr.", "Mrs.", "Ms.", "Miss", "Dr."];

/// Suffixes after a name.
pub(super) const NAME_SUFFIXES: &[&str] = &[
    "Jr.", "Sr.", "I", "II", "III", "IV", "V", "MD", "DDS", "PhD", "DVM",
];

/// First word of a job title.
pub(super) const JOB_DESCRIPTORS: &[&str] = &[
    "Lead",
    "Senior",
    "Direct",
    "Corporate",
    "Dynamic",
    "Future",
    "Product",
    "National",
    "Regional",
    "District",
    "Central",
    "Global",
    "Customer",
    "Investor",
    "Principal",
    "Chief",
];

/// Middle word of a job title.
pub(super) const JOB_AREAS: &[&str] = &[
    "Solutions",
    "Program",
    "Brand",
    "Security",
    "Research",
    "Marketing",
    "Directives",
    "Implementation",
    "Integration",
    "Functionality",
    "Response",
    "Paradigm",
    "Tactics",
    "Identity",
    "Markets",
    "Group",
    "Division",
    "Applications",
    "Operations",
    "Accounts",
    "Web",
];

/// Last word of a job title.
pub(super) const JOB_TYPES: &[&str] = &[
    "Supervisor",
    "Associate",
    "Executive",
    "Liaison",
    "Officer",
    "Manager",
    "Engineer",
    "Specialist",
    "Director",
    "Coordinator",
    "Administrator",
    "Architect",
    "Analyst",
    "Designer",
    "Planner",
    "Technician",
    "Developer",
    "Producer",
    "Consultant",
    "Assistant",
    "Agent",
];

/// City name prefixes.
pub(super) const CITY_PREFIXES: &[&str] =
    &["North", "East", "West", "South", "New", "Lake", "Port"];

/// City name endings glued onto a name.
pub(super) const CITY_SUFFIXES: &[&str] = &[
    "town", "ton", "land", "ville", "berg", "burgh", "borough", "bury", "view", "port", "mouth",
    "stad", "furt", "chester", "fort", "haven", "side", "shire",
];

/// Street kinds.
pub(super) const STREET_SUFFIXES: &[&str] = &[
    "Street",
    "Avenue",
    "Road",
    "Lane",
    "Way",
    "Drive",
    "Court",
    "Place",
    "Square",
    "Boulevard",
    "Terrace",
    "Crescent",
    "Parkway",
    "Plains",
    "Underpass",
    "Mews",
    "Path",
    "Rapids",
];

/// Countries with their ISO 3166-1 alpha-2 codes.
pub(super) const COUNTRIES: &[(&str, &str)] = &[
    ("Argentina", "AR"),
    ("Australia", "AU"),
    ("Austria", "AT"),
    ("Belgium", "BE"),
    ("Brazil", "BR"),
    ("Canada", "CA"),
    ("Chile", "CL"),
    ("Denmark", "DK"),
    ("Egypt", "EG"),
    ("Finland", "FI"),
    ("France", "FR"),
    ("Germany", "DE"),
    ("Ghana", "GH"),
    ("Greece", "GR"),
    ("India", "IN"),
    ("Ireland", "IE"),
    ("Italy", "IT"),
    ("Japan", "JP"),
    ("Kenya", "KE"),
    ("Mexico", "MX"),
    ("Netherlands", "NL"),
    ("New Zealand", "NZ"),
    ("Norway", "NO"),
    ("Peru", "PE"),
    ("Poland", "PL"),
    ("Portugal", "PT"),
    ("Singapore", "SG"),
    ("Spain", "ES"),
    ("Sweden", "SE"),
    ("Thailand", "TH"),
    ("Uruguay", "UY"),
    ("Vietnam", "VN"),
];

/// Colour names.
pub(super) const COLORS: &[&str] = &[
    "red", "green", "blue", "yellow", "purple", "orange", "pink", "black", "white", "silver",
    "gold", "teal", "maroon", "olive", "navy", "lime", "ivory", "tan", "lavender", "orchid",
];

/// Shop departments.
pub(super) const DEPARTMENTS: &[&str] = &[
    "Books",
    "Movies",
    "Music",
    "Games",
    "Electronics",
    "Computers",
    "Home",
    "Garden",
    "Tools",
    "Grocery",
    "Health",
    "Beauty",
    "Toys",
    "Kids",
    "Baby",
    "Clothing",
    "Shoes",
    "Jewelery",
    "Sports",
    "Outdoors",
    "Automotive",
    "Industrial",
];

/// Product adjectives.
pub(super) const PRODUCT_ADJECTIVES: &[&str] = &[
    "Small",
    "Ergonomic",
    "Rustic",
    "Intelligent",
    "Gorgeous",
    "Incredible",
    "Fantastic",
    "Practical",
    "Sleek",
    "Awesome",
    "Generic",
    "Handcrafted",
    "Handmade",
    "Licensed",
    "Refined",
    "Unbranded",
    "Tasty",
];

/// Product materials.
pub(super) const PRODUCT_MATERIALS: &[&str] = &[
    "Steel", "Wooden", "Concrete", "Plastic", "Cotton", "Granite", "Rubber", "Metal", "Soft",
    "Fresh", "Frozen",
];

/// Products.
pub(super) const PRODUCTS: &[&str] = &[
    "Chair", "Car", "Computer", "Keyboard", "Mouse", "Bike", "Ball", "Gloves", "Pants", "Shirt",
    "Table", "Shoes", "Hat", "Towels", "Soap", "Tuna", "Chicken", "Fish", "Cheese", "Bacon",
    "Pizza", "Salad", "Sausages", "Chips",
];

/// Company suffixes.
pub(super) const COMPANY_SUFFIXES: &[&str] = &["Inc", "and Sons", "LLC", "Group"];

/// Catch-phrase adjectives.
pub(super) const CATCH_PHRASE_ADJECTIVES: &[&str] = &[
    "Adaptive",
    "Advanced",
    "Automated",
    "Balanced",
    "Centralized",
    "Cloned",
    "Customizable",
    "Decentralized",
    "Digitized",
    "Enhanced",
    "Ergonomic",
    "Focused",
    "Innovative",
    "Managed",
    "Optimized",
    "Persistent",
    "Proactive",
    "Robust",
    "Seamless",
    "Streamlined",
    "User-friendly",
];

/// Catch-phrase descriptors.
pub(super) const CATCH_PHRASE_DESCRIPTORS: &[&str] = &[
    "24 hour",
    "asymmetric",
    "bi-directional",
    "client-driven",
    "cohesive",
    "contextually-based",
    "discrete",
    "dynamic",
    "executive",
    "global",
    "heuristic",
    "holistic",
    "interactive",
    "mission-critical",
    "modular",
    "real-time",
    "scalable",
    "static",
    "tertiary",
    "zero defect",
];

/// Catch-phrase nouns.
pub(super) const CATCH_PHRASE_NOUNS: &[&str] = &[
    "ability",
    "algorithm",
    "architecture",
    "capability",
    "concept",
    "database",
    "encoding",
    "firmware",
    "framework",
    "hierarchy",
    "infrastructure",
    "interface",
    "middleware",
    "model",
    "neural-net",
    "paradigm",
    "portal",
    "project",
    "service-desk",
    "solution",
    "toolset",
];

/// Business-speak verbs.
pub(super) const BS_BUZZ: &[&str] = &[
    "implement",
    "utilize",
    "integrate",
    "streamline",
    "optimize",
    "evolve",
    "transform",
    "embrace",
    "enable",
    "orchestrate",
    "leverage",
    "reinvent",
    "aggregate",
    "architect",
    "enhance",
    "incentivize",
    "morph",
    "empower",
    "scale",
    "deliver",
    "drive",
    "expedite",
];

/// Business-speak adjectives.
pub(super) const BS_ADJECTIVES: &[&str] = &[
    "clicks-and-mortar",
    "value-added",
    "vertical",
    "proactive",
    "robust",
    "revolutionary",
    "scalable",
    "frictionless",
    "cross-platform",
    "ubiquitous",
    "visionary",
    "back-end",
    "front-end",
    "web-enabled",
    "next-generation",
    "real-time",
    "seamless",
    "holistic",
];

/// Business-speak nouns.
pub(super) const BS_NOUNS: &[&str] = &[
    "synergies",
    "paradigms",
    "markets",
    "partnerships",
    "infrastructures",
    "platforms",
    "initiatives",
    "channels",
    "communities",
    "solutions",
    "portals",
    "niches",
    "technologies",
    "content",
    "supply-chains",
    "architectures",
    "bandwidth",
    "deliverables",
    "schemas",
    "vortals",
    "methodologies",
    "models",
];

/// Database column names.
pub(super) const DB_COLUMNS: &[&str] = &[
    "id",
    "title",
    "name",
    "email",
    "phone",
    "token",
    "group",
    "category",
    "password",
    "comment",
    "avatar",
    "status",
    "createdAt",
    "updatedAt",
];

/// Database column types.
pub(super) const DB_TYPES: &[&str] = &[
    "int",
    "varchar",
    "text",
    "date",
    "datetime",
    "tinyint",
    "time",
    "timestamp",
    "smallint",
    "mediumint",
    "bigint",
    "decimal",
    "float",
    "double",
    "real",
    "bit",
    "boolean",
    "serial",
    "blob",
    "binary",
    "enum",
    "set",
    "geometry",
    "point",
];

/// Database collations.
pub(super) const DB_COLLATIONS: &[&str] = &[
    "utf8_unicode_ci",
    "utf8_general_ci",
    "utf8_bin",
    "ascii_bin",
    "ascii_general_ci",
    "cp1250_bin",
    "cp1250_general_ci",
];

/// Database engines.
pub(super) const DB_ENGINES: &[&str] =
    &["InnoDB", "MyISAM", "MEMORY", "CSV", "BLACKHOLE", "ARCHIVE"];

/// Kinds of bank account (followed by "Account").
pub(super) const ACCOUNT_KINDS: &[&str] = &[
    "Checking",
    "Savings",
    "Money Market",
    "Investment",
    "Home Loan",
    "Credit Card",
    "Auto Loan",
    "Personal Loan",
];

/// Transaction types.
pub(super) const TRANSACTION_TYPES: &[&str] = &["deposit", "withdrawal", "payment", "invoice"];

/// Currencies: ISO 4217 code, name and symbol.
pub(super) const CURRENCIES: &[(&str, &str, &str)] = &[
    ("USD", "US Dollar", "$"),
    ("EUR", "Euro", "€"),
    ("GBP", "Pound Sterling", "£"),
    ("JPY", "Yen", "¥"),
    ("CHF", "Swiss Franc", "CHF"),
    ("PLN", "Zloty", "zł"),
    ("SEK", "Swedish Krona", "kr"),
    ("INR", "Indian Rupee", "₹"),
    ("IDR", "Rupiah", "Rp"),
    ("BRL", "Brazilian Real", "R$"),
    ("KRW", "Won", "₩"),
    ("ZAR", "Rand", "R"),
];

/// Common technical abbreviations ("hacker" words).
pub(super) const ABBREVIATIONS: &[&str] = &[
    "ADP", "AGP", "AI", "CSS", "FTP", "GB", "HDD", "HEX", "HTTP", "IB", "JBOD", "JSON", "PCI",
    "PNG", "RAM", "RSS", "SAS", "SCSI", "SDD", "SMS", "SMTP", "SQL", "SSL", "TCP", "THX", "USB",
    "XML", "XSS",
];

/// Technical adjectives.
pub(super) const HACKER_ADJECTIVES: &[&str] = &[
    "auxiliary",
    "primary",
    "back-end",
    "digital",
    "open-source",
    "virtual",
    "cross-platform",
    "redundant",
    "online",
    "haptic",
    "multi-byte",
    "bluetooth",
    "wireless",
    "1080p",
    "neural",
    "optical",
    "solid state",
    "mobile",
];

/// Technical nouns.
pub(super) const HACKER_NOUNS: &[&str] = &[
    "driver",
    "protocol",
    "bandwidth",
    "panel",
    "microchip",
    "program",
    "port",
    "card",
    "array",
    "interface",
    "system",
    "sensor",
    "firewall",
    "hard drive",
    "pixel",
    "alarm",
    "feed",
    "monitor",
    "application",
    "transmitter",
    "bus",
    "circuit",
    "capacitor",
    "matrix",
];

/// Technical verbs, base form and "-ing" form.
pub(super) const HACKER_VERBS: &[(&str, &str)] = &[
    ("back up", "backing up"),
    ("bypass", "bypassing"),
    ("hack", "hacking"),
    ("override", "overriding"),
    ("compress", "compressing"),
    ("copy", "copying"),
    ("navigate", "navigating"),
    ("index", "indexing"),
    ("connect", "connecting"),
    ("generate", "generating"),
    ("quantify", "quantifying"),
    ("calculate", "calculating"),
    ("synthesize", "synthesizing"),
    ("input", "inputting"),
    ("transmit", "transmitting"),
    ("program", "programming"),
    ("reboot", "rebooting"),
    ("parse", "parsing"),
];

/// Lorem ipsum vocabulary.
pub(super) const LOREM: &[&str] = &[
    "alias",
    "consequatur",
    "aut",
    "perferendis",
    "sit",
    "voluptatem",
    "accusantium",
    "doloremque",
    "aperiam",
    "eaque",
    "ipsa",
    "quae",
    "ab",
    "illo",
    "inventore",
    "veritatis",
    "et",
    "quasi",
    "architecto",
    "beatae",
    "vitae",
    "dicta",
    "sunt",
    "explicabo",
    "nemo",
    "enim",
    "ipsam",
    "quia",
    "voluptas",
    "aspernatur",
    "odit",
    "fugit",
    "sed",
    "magni",
    "dolores",
    "eos",
    "qui",
    "ratione",
    "sequi",
    "nesciunt",
    "neque",
    "dolorem",
    "ipsum",
    "dolor",
    "amet",
    "velit",
    "numquam",
    "modi",
    "tempora",
    "incidunt",
    "ut",
    "labore",
    "magnam",
    "aliquam",
    "quaerat",
    "minima",
    "nostrum",
    "rerum",
    "facilis",
    "est",
    "expedita",
    "distinctio",
    "nam",
    "libero",
];

/// ISO 639-1 language codes.
pub(super) const LOCALES: &[&str] = &[
    "af", "ar", "bg", "bn", "ca", "cs", "da", "de", "el", "en", "es", "et", "fa", "fi", "fr", "he",
    "hi", "hr", "hu", "id", "it", "ja", "ko", "lt", "lv", "ms", "nl", "no", "pl", "pt", "ro", "ru",
    "sk", "sl", "sr", "sv", "sw", "ta", "th", "tr", "uk", "vi", "zh",
];

/// Top-level domains without the dot.
pub(super) const DOMAIN_SUFFIXES: &[&str] = &["com", "net", "org", "biz", "info", "name", "io"];

/// Free web-mail domains.
pub(super) const FREE_EMAIL_DOMAINS: &[&str] = &["gmail.com", "yahoo.com", "hotmail.com"];

/// Unix-style directories.
pub(super) const DIRECTORY_PATHS: &[&str] = &[
    "/Applications",
    "/bin",
    "/boot",
    "/dev",
    "/etc",
    "/etc/ppp",
    "/home",
    "/home/user",
    "/lib",
    "/mnt",
    "/opt",
    "/opt/bin",
    "/opt/lib",
    "/private/tmp",
    "/srv",
    "/tmp",
    "/usr/bin",
    "/usr/local/bin",
    "/usr/sbin",
    "/var/log",
    "/var/tmp",
];

/// MIME types with their top-level type and a usual extension; the first entries are common ones.
pub(super) const MIME_TYPES: &[(&str, &str)] = &[
    ("application/pdf", "pdf"),
    ("image/png", "png"),
    ("image/jpeg", "jpg"),
    ("image/gif", "gif"),
    ("video/mp4", "mp4"),
    ("audio/mpeg", "mp3"),
    ("audio/wav", "wav"),
    ("text/html", "html"),
    ("video/mpeg", "mpeg"),
    ("application/json", "json"),
    ("application/xml", "xml"),
    ("application/zip", "zip"),
    ("application/x-tar", "tar"),
    ("application/vnd.ms-excel", "xls"),
    ("application/x-font-type1", "pfb"),
    ("application/x-x509-ca-cert", "der"),
    ("audio/ogg", "oga"),
    ("font/woff2", "woff2"),
    ("image/svg+xml", "svg"),
    ("image/vnd.microsoft.icon", "ico"),
    ("multipart/mixed", "mime"),
    ("text/calendar", "ics"),
    ("text/css", "css"),
    ("text/csv", "csv"),
    ("text/plain", "txt"),
    ("video/webm", "webm"),
];

/// How many leading [`MIME_TYPES`] count as common file types.
pub(super) const COMMON_MIME_COUNT: usize = 9;

/// Browser and platform pieces for user agents.
pub(super) const UA_PLATFORMS: &[&str] = &[
    "Windows NT 10.0; Win64; x64",
    "Windows NT 6.3",
    "Macintosh; Intel Mac OS X 10_15_7",
    "X11; Linux x86_64",
    "X11; Ubuntu; Linux i686",
];
