"""The scheme's reference data (sectors, classes, plans, states, towns, offices), loaded idempotently.

`load(apps)` takes an app registry so that a data migration and the `load_reference_data` command share it.
Rows that exist are left as they are, so edits made in the admin survive a reload.
"""

import datetime as dt
from decimal import Decimal

# (code, English, Malay, Chinese, mandatory from)
SECTORS = [
    ("passenger-transport", "Passenger Transport", "Pengangkutan Penumpang", "客运", dt.date(2017, 6, 1)),
    (
        "goods-food-transport",
        "Goods and Food Transport",
        "Pengangkutan Barangan atau Makanan",
        "货运&食物运输",
        dt.date(2021, 10, 1),
    ),
    ("agriculture", "Agriculture", "Pertanian", "农业", None),
    ("livestock", "Livestock", "Penternakan", "畜牧业", None),
    ("forestry", "Forestry", "Perhutanan", "森林业", None),
    ("fisheries", "Fisheries", "Perikanan", "渔业", None),
    ("food", "Food", "Makanan", "餐饮", None),
    ("manufacturing", "Manufacturing", "Pembuatan", "制造业", None),
    ("construction", "Construction", "Pembinaan", "建筑", None),
    ("hawkers", "Hawkers", "Penjaja", "小贩", dt.date(2025, 1, 1)),
    ("accommodation", "Accommodation", "Premis Penginapan", "住宿", None),
    ("online-business", "Online Business", "Perniagaan Online", "在线业务", None),
    ("information-technology", "Information Technology", "Teknologi Maklumat", "信息科技", None),
    ("data-processing", "Data Processing", "Pemprosesan Data", "数据处理", None),
    ("agent", "Agent", "Ejen", "代理", None),
    ("professional-services", "Professional Services", "Perkhidmatan Profesional", "专业服务", None),
    ("support-services", "Support Services", "Perkhidmatan Sokongan", "支援服务", None),
    ("art", "Art", "Kesenian", "艺术", None),
    ("household-services", "Household Services", "Perkhidmatan Isi Rumah", "家庭服务", None),
    (
        "beauty-healthcare",
        "Beauty and Healthcare",
        "Penjagaan Perawatan dan Pemulihan Kesihatan",
        "美容&保健",
        None,
    ),
]

# sector code -> [(class code, English, Malay, Chinese)]
CLASSES = {
    "passenger-transport": [
        ("taxi-driver", "Taxi Driver", "Pemandu Teksi", "的士司机"),
        ("grab-driver", "Grab Driver", "Pemandu Grab", "Grab 司机"),
        ("hired-car-driver", "Hired Car Driver", "Pemandu Kereta Sewa", "出租车司机"),
        ("other-e-hailing-driver", "Other E-Hailing Driver", "Pemandu E-Hailing Lain", "其他电召车司机"),
        ("school-bus-driver", "School Bus Driver", "Pemandu Bas Sekolah", "学巴司机"),
        ("factory-bus-driver", "Factory Bus Driver", "Pemandu Bas Kilang", "厂巴司机"),
        ("other-bus-driver", "Other Bus Driver", "Pemandu Bas Lain", "其他巴士司机"),
    ],
    "goods-food-transport": [
        (
            "p-hailing-motorcycle",
            "P-Hailing Rider (Motorcycle)",
            "Penghantar P-Hailing (Motosikal)",
            "外卖骑士（摩托）",
        ),
        (
            "p-hailing-car-van",
            "P-Hailing Driver (Car or Van)",
            "Pemandu P-Hailing (Kereta atau Van)",
            "外卖司机（汽车或货车）",
        ),
        ("courier", "Courier / Despatch", "Kurier / Penghantar Dokumen", "快递员"),
        (
            "lorry-van-owner",
            "Lorry or Van Owner-Driver",
            "Pemilik-Pemandu Lori atau Van",
            "罗厘或货车车主司机",
        ),
    ],
    "agriculture": [
        ("padi-farmer", "Padi Farmer", "Pesawah Padi", "稻农"),
        ("oil-palm-smallholder", "Oil Palm Smallholder", "Pekebun Kecil Kelapa Sawit", "油棕小园主"),
        (
            "rubber-smallholder",
            "Rubber Smallholder / Tapper",
            "Pekebun Kecil / Penoreh Getah",
            "橡胶小园主／割胶工",
        ),
        ("crop-grower", "Vegetable or Fruit Grower", "Penanam Sayur atau Buah", "蔬果种植者"),
    ],
    "livestock": [
        (
            "cattle-goat-breeder",
            "Cattle, Goat or Sheep Breeder",
            "Penternak Lembu, Kambing atau Bebiri",
            "牛羊饲养者",
        ),
        ("poultry-farmer", "Poultry Farmer", "Penternak Ayam Itik", "家禽饲养者"),
        ("swiftlet-farmer", "Swiftlet Farmer", "Pengusaha Burung Walit", "燕屋业者"),
    ],
    "forestry": [
        ("forest-produce-collector", "Forest Produce Collector", "Pengutip Hasil Hutan", "林产采集者"),
        ("logger", "Logger", "Pembalak", "伐木工"),
    ],
    "fisheries": [
        ("fisherman", "Fisherman", "Nelayan", "渔民"),
        ("fish-trader", "Fish Trader", "Peraih Ikan", "鱼贩"),
        ("aquaculture", "Aquaculture Operator", "Pengusaha Akuakultur", "水产养殖业者"),
    ],
    "food": [
        ("food-stall", "Food Stall Operator", "Pengusaha Gerai Makanan", "食摊经营者"),
        ("caterer", "Caterer", "Katerer", "餐饮承办商"),
        ("home-baker", "Home Baker / Kuih Maker", "Pembuat Kuih / Pembakar di Rumah", "家庭烘焙／糕点师"),
    ],
    "manufacturing": [
        ("small-producer", "Small-Scale Producer", "Pengeluar Kecil", "小型生产者"),
        ("handicraft-maker", "Handicraft Maker", "Pembuat Kraf Tangan", "手工艺人"),
        ("tailor", "Tailor", "Tukang Jahit", "裁缝"),
    ],
    "construction": [
        ("small-contractor", "Small Contractor", "Kontraktor Kecil", "小型承包商"),
        ("carpenter", "Carpenter", "Tukang Kayu", "木匠"),
        ("plumber", "Plumber", "Tukang Paip", "水管工"),
        ("electrician", "Electrician / Wireman", "Juruelektrik / Pendawai", "电工"),
        ("painter", "Painter", "Tukang Cat", "油漆工"),
    ],
    "hawkers": [
        ("licensed-hawker", "Licensed Hawker / Trader", "Penjaja / Peniaga Berlesen", "持牌小贩／商贩"),
        ("kiosk", "Kiosk Operator", "Pengusaha Kiosk", "摊亭经营者"),
        ("night-market", "Night Market Trader", "Peniaga Pasar Malam", "夜市商贩"),
        ("street-vendor", "Street Vendor", "Penjaja Jalanan", "街头小贩"),
    ],
    "accommodation": [
        ("homestay", "Homestay Operator", "Pengusaha Inap Desa", "民宿经营者"),
        (
            "chalet-budget-hotel",
            "Chalet or Budget Hotel Operator",
            "Pengusaha Chalet atau Hotel Bajet",
            "度假屋／经济酒店经营者",
        ),
    ],
    "online-business": [
        ("online-seller", "Online Seller", "Penjual Dalam Talian", "网店卖家"),
        ("dropshipper", "Dropshipper", "Dropshipper", "代发货卖家"),
        ("live-stream-seller", "Live-Stream Seller", "Penjual Siaran Langsung", "直播卖家"),
    ],
    "information-technology": [
        ("mobile-application", "Mobile Application", "Aplikasi Mudah Alih", "手机应用程序"),
        ("programmer", "Freelance Programmer", "Pengaturcara Bebas", "自由程序员"),
        ("web-developer", "Web Developer", "Pembangun Laman Web", "网站开发者"),
        ("it-technician", "IT Technician", "Juruteknik IT", "资讯科技技术员"),
    ],
    "data-processing": [
        ("data-entry", "Data Entry", "Kemasukan Data", "数据输入"),
        ("survey-enumerator", "Survey Enumerator", "Pembanci Tinjauan", "调查员"),
        ("transcriber", "Transcriber", "Penyalin Transkrip", "转录员"),
    ],
    "agent": [
        ("insurance-agent", "Insurance / Takaful Agent", "Ejen Insurans / Takaful", "保险／伊斯兰保险代理"),
        ("property-negotiator", "Property Negotiator", "Perunding Hartanah", "房地产经纪"),
        ("unit-trust-agent", "Unit Trust Agent", "Ejen Unit Amanah", "单位信托代理"),
        ("direct-sales-agent", "Direct Sales Agent", "Ejen Jualan Langsung", "直销代理"),
    ],
    "professional-services": [
        ("lawyer", "Lawyer", "Peguam", "律师"),
        ("accountant", "Accountant", "Akauntan", "会计师"),
        ("architect", "Architect", "Arkitek", "建筑师"),
        ("engineer", "Engineer", "Jurutera", "工程师"),
        ("consultant", "Consultant", "Perunding", "顾问"),
    ],
    "support-services": [
        ("tour-guide", "Tour Guide", "Pemandu Pelancong", "导游"),
        ("mountain-guide", "Mountain Guide", "Malim Gunung", "爬山向导"),
        ("tutor", "Tutor", "Tutor", "导师"),
        ("maintenance", "Maintenance", "Penyenggaraan", "保养"),
        ("coach", "Coach", "Jurulatih", "教练"),
        (
            "business-owner",
            "Owner of business sole proprietor or partnership",
            "Pemilik perniagaan tunggal atau perkongsian",
            "企业持有人合伙人",
        ),
        ("digital-economy", "Digital Economy Services", "Perkhidmatan Ekonomi Digital", "数字经济服务"),
    ],
    "art": [
        ("performer", "Actor, Singer or Musician", "Pelakon, Penyanyi atau Pemuzik", "演员、歌手或音乐人"),
        ("film-crew", "Film Crew", "Kru Penggambaran", "电影制作人员"),
        ("graphic-designer", "Graphic Designer", "Pereka Grafik", "平面设计师"),
        ("content-creator", "Content Creator", "Pencipta Kandungan", "内容创作者"),
    ],
    "household-services": [
        ("house-cleaner", "Part-Time House Cleaner", "Pembersih Rumah Sambilan", "兼职清洁工"),
        ("babysitter", "Babysitter", "Pengasuh Kanak-Kanak", "保姆"),
        ("gardener", "Gardener", "Tukang Kebun", "园丁"),
    ],
    "beauty-healthcare": [
        ("masseur", "Masseur / Reflexologist", "Tukang Urut / Refleksologi", "按摩／反射疗法师"),
        ("beautician", "Beautician", "Jurusolek / Pakar Kecantikan", "美容师"),
        ("traditional-healer", "Traditional Healer", "Pengamal Perubatan Tradisional", "传统疗法师"),
        ("confinement-carer", "Confinement Carer", "Penjaga Berpantang", "月嫂"),
    ],
}

# (plan, insured monthly earning, monthly, yearly) from the seeds' plan table.
PLANS = [
    (1, "1050.00", "13.10", "157.20"),
    (2, "1550.00", "19.40", "232.80"),
    (3, "2950.00", "36.90", "442.80"),
    (4, "3950.00", "49.40", "592.80"),
]

# (code, name, postcode ranges, towns)
STATES = [
    (
        "JHR",
        "Johor",
        [(79000, 86999)],
        [
            "Johor Bahru",
            "Iskandar Puteri",
            "Pasir Gudang",
            "Kulai",
            "Senai",
            "Kota Tinggi",
            "Batu Pahat",
            "Muar",
            "Kluang",
            "Segamat",
            "Pontian",
            "Mersing",
            "Tangkak",
            "Yong Peng",
        ],
    ),
    (
        "KDH",
        "Kedah",
        [(5000, 9810), (14290, 14390), (34950, 34950)],
        [
            "Alor Setar",
            "Sungai Petani",
            "Kulim",
            "Langkawi",
            "Jitra",
            "Gurun",
            "Baling",
            "Pendang",
            "Yan",
            "Kuala Kedah",
            "Bandar Baharu",
        ],
    ),
    (
        "KTN",
        "Kelantan",
        [(15000, 18500)],
        [
            "Kota Bharu",
            "Pasir Mas",
            "Tanah Merah",
            "Kuala Krai",
            "Machang",
            "Tumpat",
            "Bachok",
            "Pasir Puteh",
            "Gua Musang",
            "Jeli",
        ],
    ),
    (
        "MLK",
        "Melaka",
        [(75000, 78309)],
        ["Melaka", "Ayer Keroh", "Alor Gajah", "Jasin", "Masjid Tanah", "Merlimau", "Durian Tunggal"],
    ),
    (
        "NSN",
        "Negeri Sembilan",
        [(70000, 73509)],
        ["Seremban", "Nilai", "Port Dickson", "Rembau", "Kuala Pilah", "Bahau", "Tampin", "Gemas", "Mantin"],
    ),
    (
        "PHG",
        "Pahang",
        [(25000, 28800), (39000, 39999), (49000, 49000), (69000, 69000)],
        [
            "Kuantan",
            "Temerloh",
            "Mentakab",
            "Bentong",
            "Raub",
            "Jerantut",
            "Kuala Lipis",
            "Pekan",
            "Muadzam Shah",
            "Tanah Rata",
            "Genting Highlands",
        ],
    ),
    (
        "PNG",
        "Pulau Pinang",
        [(10000, 14400)],
        [
            "George Town",
            "Butterworth",
            "Bukit Mertajam",
            "Bayan Lepas",
            "Perai",
            "Kepala Batas",
            "Nibong Tebal",
            "Balik Pulau",
            "Simpang Ampat",
        ],
    ),
    (
        "PRK",
        "Perak",
        [(30000, 36810)],
        [
            "Ipoh",
            "Taiping",
            "Teluk Intan",
            "Kuala Kangsar",
            "Sitiawan",
            "Seri Manjung",
            "Lumut",
            "Kampar",
            "Batu Gajah",
            "Tanjong Malim",
            "Parit Buntar",
            "Tapah",
            "Gerik",
        ],
    ),
    (
        "PLS",
        "Perlis",
        [(1000, 2800)],
        ["Kangar", "Arau", "Padang Besar", "Kuala Perlis", "Simpang Ampat", "Kaki Bukit"],
    ),
    (
        "SGR",
        "Selangor",
        [(40000, 48300), (63000, 63999), (64000, 64000), (68000, 68999)],
        [
            "Shah Alam",
            "Petaling Jaya",
            "Subang Jaya",
            "Klang",
            "Puchong",
            "Kajang",
            "Bangi",
            "Seri Kembangan",
            "Rawang",
            "Cyberjaya",
            "Sepang",
            "Banting",
            "Kuala Selangor",
            "Ampang",
            "Batu Caves",
        ],
    ),
    (
        "TRG",
        "Terengganu",
        [(20000, 24300)],
        ["Kuala Terengganu", "Kemaman", "Dungun", "Marang", "Jerteh", "Kuala Berang", "Kerteh", "Permaisuri"],
    ),
    (
        "SBH",
        "Sabah",
        [(88000, 91309)],
        [
            "Kota Kinabalu",
            "Sandakan",
            "Tawau",
            "Lahad Datu",
            "Keningau",
            "Semporna",
            "Kudat",
            "Ranau",
            "Beaufort",
            "Papar",
            "Penampang",
            "Putatan",
            "Tuaran",
            "Kota Belud",
        ],
    ),
    (
        "SWK",
        "Sarawak",
        [(93000, 98859)],
        [
            "Kuching",
            "Kota Samarahan",
            "Serian",
            "Sri Aman",
            "Sibu",
            "Sarikei",
            "Mukah",
            "Kapit",
            "Bintulu",
            "Miri",
            "Limbang",
            "Lawas",
            "Betong",
        ],
    ),
    (
        "KUL",
        "WP Kuala Lumpur",
        [(50000, 60000)],
        ["Kuala Lumpur", "Setapak", "Cheras", "Kepong", "Bangsar", "Wangsa Maju"],
    ),
    ("LBN", "WP Labuan", [(87000, 87033)], ["Labuan"]),
    ("PJY", "WP Putrajaya", [(62000, 62988)], ["Putrajaya"]),
]

# (code, name, state code, address, phone)
OFFICES = [
    (
        "kl-hq",
        "Menara PERKESO (Ibu Pejabat)",
        "KUL",
        "No. 281, Jalan Ampang, 50538 Kuala Lumpur",
        "1-300-22-8000",
    ),
    (
        "kl",
        "Pejabat PERKESO Kuala Lumpur",
        "KUL",
        "Wisma PERKESO, No. 155, Jalan Tun Razak, 50400 Kuala Lumpur",
        "",
    ),
    ("putrajaya", "Menara PERKESO Putrajaya", "PJY", "Putrajaya", ""),
    ("shah-alam", "Pejabat PERKESO Shah Alam", "SGR", "Shah Alam, Selangor", ""),
    ("petaling-jaya", "Pejabat PERKESO Petaling Jaya", "SGR", "Jalan Selangor, Petaling Jaya", ""),
    ("klang", "Pejabat PERKESO Klang", "SGR", "Klang, Selangor", ""),
    ("johor-bahru", "Pejabat PERKESO Johor Bahru", "JHR", "Johor Bahru, Johor", ""),
    ("batu-pahat", "Pejabat PERKESO Batu Pahat", "JHR", "Batu Pahat, Johor", ""),
    ("alor-setar", "Pejabat PERKESO Alor Setar", "KDH", "Alor Setar, Kedah", ""),
    ("sungai-petani", "Pejabat PERKESO Sungai Petani", "KDH", "Sungai Petani, Kedah", ""),
    (
        "kota-bharu",
        "Pejabat PERKESO Kota Bharu",
        "KTN",
        "Wisma PERKESO, PT304-307 Seksyen 22, Jalan Kota Darul Naim, 15538 Kota Bharu",
        "09-7456666",
    ),
    (
        "kuala-krai",
        "Pejabat PERKESO Kuala Krai",
        "KTN",
        "PT4489 Jalan Guchil Luar, 18020 Kuala Krai",
        "09-9602120",
    ),
    ("melaka", "Pejabat PERKESO Melaka", "MLK", "Melaka", ""),
    ("seremban", "Pejabat PERKESO Seremban", "NSN", "Seremban, Negeri Sembilan", ""),
    ("kuantan", "Pejabat PERKESO Kuantan", "PHG", "Kuantan, Pahang", ""),
    ("temerloh", "Pejabat PERKESO Temerloh", "PHG", "Temerloh, Pahang", ""),
    ("pulau-pinang", "Pejabat PERKESO Pulau Pinang", "PNG", "Wisma PERKESO, Jalan Burmah, George Town", ""),
    ("seberang-jaya", "Pejabat PERKESO Seberang Jaya", "PNG", "Seberang Jaya, Pulau Pinang", ""),
    ("ipoh", "Pejabat PERKESO Ipoh", "PRK", "Ipoh, Perak", ""),
    ("taiping", "Pejabat PERKESO Taiping", "PRK", "Taiping, Perak", ""),
    ("kangar", "Pejabat PERKESO Kangar", "PLS", "Kangar, Perlis", ""),
    ("kuala-terengganu", "Pejabat PERKESO Kuala Terengganu", "TRG", "Kuala Terengganu, Terengganu", ""),
    ("kemaman", "Pejabat PERKESO Kemaman", "TRG", "Kemaman, Terengganu", ""),
    (
        "kota-kinabalu",
        "Pejabat PERKESO Kota Kinabalu",
        "SBH",
        "Wisma PERKESO, No. 11 Lorong Sempelang, Tanjung Aru, 88821 Kota Kinabalu",
        "088-517800",
    ),
    ("sandakan", "Pejabat PERKESO Sandakan", "SBH", "Bandar Indah, Batu 4, 90000 Sandakan", ""),
    ("tawau", "Pejabat PERKESO Tawau", "SBH", "Jalan Budi, 91000 Tawau", ""),
    ("lahad-datu", "Pejabat PERKESO Lahad Datu", "SBH", "Fajar Centre, 91120 Lahad Datu", ""),
    ("keningau", "Pejabat PERKESO Keningau", "SBH", "ADIKA Commercial Complex, 89008 Keningau", ""),
    (
        "kuching",
        "Pejabat PERKESO Kuching",
        "SWK",
        "Wisma PERKESO, No. 52 Travillion Commercial Centre, Jalan Padungan, 93100 Kuching",
        "",
    ),
    ("sibu", "Pejabat PERKESO Sibu", "SWK", "Sibu, Sarawak", ""),
    ("miri", "Pejabat PERKESO Miri", "SWK", "Miri, Sarawak", ""),
    ("bintulu", "Pejabat PERKESO Bintulu", "SWK", "Bintulu, Sarawak", ""),
    ("limbang", "Pejabat PERKESO Limbang", "SWK", "Limbang, Sarawak", ""),
    ("labuan", "Pejabat PERKESO Labuan", "LBN", "Labuan", ""),
]


def load(apps) -> None:
    Sector = apps.get_model("contributions", "Sector")
    SectorClass = apps.get_model("contributions", "SectorClass")
    Plan = apps.get_model("contributions", "Plan")
    State = apps.get_model("contributions", "State")
    PostcodeRange = apps.get_model("contributions", "PostcodeRange")
    Town = apps.get_model("contributions", "Town")
    Office = apps.get_model("contributions", "Office")

    for order, (code, en, ms, zh, mandatory_from) in enumerate(SECTORS, start=1):
        sector, _ = Sector.objects.get_or_create(
            code=code,
            defaults={
                "name_en": en,
                "name_ms": ms,
                "name_zh": zh,
                "sort_order": order,
                "is_mandatory": mandatory_from is not None,
                "mandatory_from": mandatory_from,
            },
        )
        for class_order, (class_code, c_en, c_ms, c_zh) in enumerate(CLASSES[code], start=1):
            SectorClass.objects.get_or_create(
                sector=sector,
                code=class_code,
                defaults={"name_en": c_en, "name_ms": c_ms, "name_zh": c_zh, "sort_order": class_order},
            )
    for number, earning, monthly, yearly in PLANS:
        Plan.objects.get_or_create(
            number=number,
            defaults={
                "insured_monthly_earning": Decimal(earning),
                "monthly_amount": Decimal(monthly),
                "yearly_amount": Decimal(yearly),
            },
        )
    for order, (code, name, ranges, towns) in enumerate(STATES, start=1):
        state, created = State.objects.get_or_create(code=code, defaults={"name": name, "sort_order": order})
        if created:
            PostcodeRange.objects.bulk_create(PostcodeRange(state=state, first=a, last=b) for a, b in ranges)
        for town in towns:
            Town.objects.get_or_create(state=state, name=town)
    states = {s.code: s for s in State.objects.all()}
    for code, name, state_code, address, phone in OFFICES:
        Office.objects.get_or_create(
            code=code,
            defaults={"name": name, "state": states[state_code], "address": address, "phone": phone},
        )
