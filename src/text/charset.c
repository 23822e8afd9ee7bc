/* charset: encoding detection and conversion of plain-text uploads to UTF-8.
 *
 * Detection is a fixed ladder (BOM, UTF-32/16 by zero bytes, binary
 * refusal, ISO-2022-JP escapes, strict or nearly strict UTF-8, scoring of
 * the legacy CJK encodings, one-line CJK UTF-16, Windows-1252 as the last
 * resort) over at most the first WY_CHARSET_SAMPLE bytes. Decoding is
 * glibc iconv, except UTF-8, which is ours (strict). This file must never
 * trust the input: every loop advances, every buffer is fixed-size or
 * capped, a failing iconv_open is an error and not a crash, and nothing
 * invalid reaches the UTF-8 output. */
#include "text/charset.h"
#include "text/utf8.h"

#include <errno.h>
#include <iconv.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

enum { LANG_NONE, LANG_ZH, LANG_JA, LANG_KO };

typedef struct cs_info {
	const char *name;     /* what wy_charset_detect returns */
	const char *primary;  /* iconv decoder; NULL = our strict UTF-8 decoder */
	const char *fallback; /* tried on one 2-byte character primary rejects */
	unsigned unit;        /* bytes skipped per undecodable unit */
	int lang;             /* language the scoring expects of this encoding */
} cs_info;

/* BIG5: glibc's BIG5-HKSCS decodes about 18,400 two-byte codes against
 * BIG5's 13,900 (it maps the ETEN/HKSCS extensions to real characters where
 * BIG5 gives private-use), but rejects a few CP950 symbols (A1C3, A1FE,
 * A240, the euro A3E1); those are retried with BIG5. SHIFT_JIS and EUC-KR
 * are decoded as their Windows supersets because that is what files in the
 * wild are; EUC-JP-MS adds the NEC/IBM rows that Windows-made EUC-JP has. */
static const cs_info charsets[] = {
	{"UTF-8", NULL, NULL, 1, LANG_NONE},
	{"UTF-16LE", "UTF-16LE", NULL, 2, LANG_NONE},
	{"UTF-16BE", "UTF-16BE", NULL, 2, LANG_NONE},
	{"UTF-32LE", "UTF-32LE", NULL, 4, LANG_NONE},
	{"UTF-32BE", "UTF-32BE", NULL, 4, LANG_NONE},
	{"GB18030", "GB18030", NULL, 1, LANG_ZH},
	{"BIG5", "BIG5-HKSCS", "BIG5", 1, LANG_ZH},
	{"SHIFT_JIS", "CP932", NULL, 1, LANG_JA},
	{"EUC-JP", "EUC-JP", "EUC-JP-MS", 1, LANG_JA},
	{"ISO-2022-JP", "ISO-2022-JP", NULL, 1, LANG_JA},
	{"EUC-KR", "CP949", NULL, 1, LANG_KO},
	{"WINDOWS-1252", "WINDOWS-1252", NULL, 1, LANG_NONE},
};

enum {
	CS_UTF8, CS_UTF16LE, CS_UTF16BE, CS_UTF32LE, CS_UTF32BE, CS_GB18030,
	CS_BIG5, CS_SJIS, CS_EUCJP, CS_ISO2022JP, CS_EUCKR, CS_CP1252,
};

/* Legacy candidates in order of preference when two score the same. */
static const int legacy[] = {CS_GB18030, CS_BIG5, CS_SJIS, CS_EUCJP, CS_EUCKR};

/* A legacy candidate whose decoded text scores below this is implausible
 * (real text scores 0.6-0.95, wrong decodings near or below zero). */
#define MIN_SCORE 0.3

/* ---- tables of common characters ------------------------------------- */

/* Frequent characters of each language, written out by hand. They are the
 * strongest signal we have: the wrong legacy decoding of a text yields
 * characters from the same "common" code ranges (GB2312 level 1 and Big5
 * level 1 overlap the Hangul and kanji rows of EUC-KR and EUC-JP), but
 * almost never the few hundred characters that make up most real text. */

/* Modern Chinese, simplified forms, roughly by frequency. */
static const char zh_simplified[] =
	"的一是不了在人有我他这个们中来上大为和国地到以说时要就出会可也你对生"
	"能而子那得于着下自之年过发后作里用道行所然家种事成方多经么去法学如都"
	"同现当没动面起看定天分还进好小部其些主样理心她本前开但因只从想实日军"
	"者意无力它与长把机十民第公此已工使情明性知全三又关点正业外将两高间由"
	"问很最重并物手应战向头文体政美相见被利什二等产或新己制身果加西斯月话"
	"合回特代内信表化老给世位次度门任常先海通教儿原东声提立及比员解水名真"
	"论处走义各入几口认条平系气题活尔更别打女变四神总何电数安少报才结反受"
	"目太量再感建务做接必场件计管期市直德资命山金指克许统区保至队形社便空"
	"决治展马科司五基眼书非则听白却界达光放强即像难且权思王象完设式色路记"
	"南品住告类求据程北边死张该交规万取拉格望觉术领共确传师观清今切院让识"
	"候带导争运笑飞风步改收根干造言联持组每济车亲极林服快办议往元英士证近"
	"失转夫令准布始怎呢存未远叫台单影具罗字爱击流备兵连调深商算质团集百需"
	"价花党华城石级整府离况亚请技际约示复病息究线似官火断精满支视消越器容"
	"照须九增研写称企八功吗包片史委乎查轻易早曾除农找装广显吧阿李标谈吃图"
	"念六引历首医局突专费号尽另周较注语仅考落青随选列武红响虽推势参希古众"
	"构房半节土投某案黑维革划敌致陈律足态护七兴派孩验责营星够章音跟志底站"
	"严巴例防族供效续施留讲型料终答紧黄绝奇察母京段依批群项故按河米围江织"
	"害斗双境客纪采举杀攻父苏密低朝友诉止细愿千值仍男钱破网热助倒育属坐帝"
	"限船脸职速刻乐否刚威毛状率甚独球般普怕弹校苦创假久错承印晚兰试股拿脑"
	"预谁益阳若哪微尼继送急血惊伤素药适波夜省初喜卫源食险待述陆习置居劳财"
	"环排福纳欢雷警获模充负云停木游龙树疑层冷洲冲射略范竟句室异激汉村哈策"
	"演简卡罪判担州静退既衣您宗积余痛检差富灵协角占配征修皮挥胜降阶审沉坚"
	"善妈刘读啊超免压银买皇养伊怀执副乱抗犯追帮宣佛岁航优怪香著田铁控税左"
	"右份穿艺背阵草脚概恶块顿敢守酒岛托央户烈洋哥索胡款靠评版宝座释景顾弟"
	"登货互付伯慢欧换闻危忙核暗姐介坏讨丽良序升监临亮露永呼味野架域沙掉括"
	"鱼杂误湾吉减编楚肯测败屋跑梦散温困剑渐封救贵枪缺楼县尚毫移娘朋画班智"
	"耳恩短掌恐遗固席松秘谢鲁遇康虑幸均销钟诗藏赶剧票损忽巨炮旧端探湖录叶"
	"春乡附吸予礼港雨呀板庭妇归睛饭额含顺输摇招婚脱补谓督毒油疗旅泽材灭逐"
	"莫笔亡鲜词圣择寻厂睡博勒烟授诺伦岸奥唐卖俄炸载洛健堂旁宫喝借君禁阴园"
	"谋宋避抓荣姑孙逃牙束跳顶玉镇雪午练迫爷篇肉嘴馆遍凡础洞卷坦牛宁纸诸训"
	"私庄祖丝翻暴森塔默握戏隐熟骨访弱蒙歌店鬼软典欲萨伙遭盘爸扩盖弄雄稳忘"
	"亿刺拥徒姆杨齐赛趣曲刀床迎冰虚玩析窗醒妻透购替塞努休虎扬途侵刑绿兄迅"
	"套贸毕唯谷轮库迹尤竞街促延震弃甲伟麻川申缓潜闪售灯针哲络抵朱埃抱鼓植"
	"纯夏忍页杰筑折郑贝尊吴秀混臣雅振染盛怒舞圆搞狂措姓残秋培迷诚宽宇猛摆"
	"梅毁伸摩盟末乃悲拍丁赵";

/* Traditional forms of the simplified characters above that differ. */
static const char zh_traditional[] =
	"這個們來為國過發後裡說時會對著於經麼學現當沒動還進從樣實開軍無與長機"
	"點業將兩間問關頭應戰體產見話東聲員論處義幾認條氣題爾別變總電數報結務"
	"場計資許統區隊決書則聽卻達強難權設記邊張該規萬覺術領確傳師觀讓識帶導"
	"爭運飛風轉準遠單羅愛擊備連調團質價黨華級離況亞請際約複視滿須稱農裝廣"
	"顯標談圖歷醫專費號盡較語僅隨選紅響雖勢參眾構節維劃敵陳態護興驗責營夠"
	"嚴續講終緊黃絕項圍織鬥雙紀採舉殺蘇訴細願錢網熱屬臉職樂剛狀獨彈創錯蘭"
	"試腦預誰陽繼驚傷藥適陸習勞財環納歡獲負雲遊龍樹層衝範異漢簡擔靜積餘檢"
	"靈協揮勝階審堅媽劉讀壓銀買養懷執亂幫歲優鐵稅藝陣腳惡塊頓島戶評寶釋顧"
	"貨歐換聞壞討麗監臨魚雜誤灣減編測敗夢溫劍漸貴槍樓縣遺謝魯慮銷鐘詩趕劇"
	"損舊錄葉鄉禮婦歸飯額順輸搖脫補謂療澤滅筆鮮詞聖擇尋廠煙諾倫賣載宮陰園"
	"謀榮孫頂鎮練爺館礎寧紙諸訓莊絲戲隱訪軟薩盤擴蓋穩億擁楊齊賽虛購揚綠貿"
	"畢輪庫跡競棄偉緩潛閃燈針絡純頁傑築鄭貝吳圓殘誠寬擺毀趙臺灣網際";

/* Classical Chinese (the wenyan of Wikipedia's 維基大典, the classics). */
static const char zh_classical[] =
	"曰焉矣哉兮耶吾汝爾於亦故則夫所者也之乃若然皆莫勿弗毋非孰奚安惡諸蓋且"
	"遂既未凡彼斯茲余朕寡孤臣君王侯卿將兵師卒攻守勝敵天道德仁義禮智信邦"
	"嘗謂乘";

/* Japanese: kanji of newspapers and of fiction (shinjitai forms). Kana are
 * scored by block, not listed. */
static const char ja_kanji[] =
	"日一人年大十二本中長出三同時政事自行社見月分議後前民生連五発間対上部"
	"東者党地合市業内相方四定今回新場金員九入選立開手米力学問高代明実円関"
	"決子動京全目表戦経通外最言氏現理調体化田当八六約主題下首意法不来作性"
	"的要用制治度務強気小七成期公持野協取都和統以機平総加山思家話世受区領"
	"多県続進正安設保改数記院女初北午指権心界支第産結百派点教報済書府活原"
	"先共得解名交資予川向際査勝面委告軍文反元重近千考判認画海参売利組知案"
	"道信策集在件団別物側任引使求所次水半品男老婆門雨死声顔眼頭夜朝夕風音"
	"光火空色白黒赤青少何私僕彼君達様事間左右聞食飲待帰座歩走読着付閉置寝"
	"起逃泣笑怒喜悲恐驚急早遅短低弱若古美悪良好嫌暗仕方上下又唯云無居其此"
	"居為様子事情感覚";

/* Korean: the frequent Hangul syllables (particles, endings, common
 * Sino-Korean syllables). */
static const char ko_syllables[] =
	"이다는의에하고을가를로지기한서사어리도들나있인시대자수게아으해요니그정"
	"여것습적주보전부제라일상우음과면만했할되없오장무소내생은께알말때거저년"
	"마성동미안개관실공방위물화경중모분연식세문계발원신회조구스트드국학행결"
	"처통현출선영및또등후간점단반본명용유비차같좋당날잘못었겠며던든았였된될"
	"까데야록므럼터씩쯤뿐밖와랑여입합니됩람각금남친교집돈손눈몸길밤앞뒤래속"
	"곳쪽번떤큰작많더왜디언누엇떻러런즉네죠예응님씨너희녀요치히키기도바너무"
	"려루른름리림립마막만많말맞매머먹멀메며면모목몰못무문물뭐미민밀바박반받"
	"발밝방배백버번법변별병보복본볼부분불비빠사산살삼상새색생서석선설성세소"
	"속손수순술쉬스습시식신실심십아악안않알암앞애야약양어억언얼엄업없었에여"
	"역연열영예오온올와완왔외요용우운울원월위유으은을음응의이익인일읽임입있"
	"자작잘잡장재저적전절점정제조족존좀종좋주죽준중즐지직진질집짓짜차참창찾"
	"책처천철첫청체초최추축출충취치친침타태터토통투특파판편평포표품프피필하"
	"학한할함합항해했행향허현형호혹화확환활황회효후훈휘흐흔흘희히";

/* Bitmaps over the ranges we score finely. */
#define URO_FIRST 0x4E00u
#define URO_LAST 0x9FFFu
#define URO_BYTES ((URO_LAST - URO_FIRST + 1 + 7) / 8)
#define HANGUL_FIRST 0xAC00u
#define HANGUL_LAST 0xD7A3u
#define HANGUL_BYTES ((HANGUL_LAST - HANGUL_FIRST + 1 + 7) / 8)

static struct {
	uint8_t common_zh[URO_BYTES]; /* GB2312 level 1 and Big5 level 1 hanzi */
	uint8_t common_ja[URO_BYTES]; /* JIS X 0208 level 1 kanji */
	uint8_t freq_zh[URO_BYTES];
	uint8_t freq_ja[URO_BYTES];
	uint8_t common_ko[HANGUL_BYTES]; /* the 2,350 syllables of KS X 1001 */
	uint8_t freq_ko[HANGUL_BYTES];
} tab;

static pthread_once_t tab_once = PTHREAD_ONCE_INIT;

static void bit_set(uint8_t *map, uint32_t first, uint32_t last, uint32_t cp)
{
	if (cp >= first && cp <= last)
		map[(cp - first) >> 3] |= (uint8_t)(1u << ((cp - first) & 7));
}

static bool bit_get(const uint8_t *map, uint32_t first, uint32_t cp)
{
	return (map[(cp - first) >> 3] >> ((cp - first) & 7)) & 1;
}

static void set_from_utf8(uint8_t *map, uint32_t first, uint32_t last, const char *s)
{
	const char *p = s, *end = s + strlen(s);
	while (p < end) {
		int cp = wy_utf8_decode(&p, end);
		if (cp >= 0)
			bit_set(map, first, last, (uint32_t)cp);
	}
}

/* Decode every two-byte code lead_lo..lead_hi x trail ranges of `enc` and
 * mark what lands in [first, last]. Doing this through iconv at first use
 * keeps big code tables out of the source; a missing gconv module only
 * leaves the map empty, which weakens scoring but breaks nothing. */
static void set_from_codes(uint8_t *map, uint32_t first, uint32_t last, const char *enc,
			   unsigned lead_lo, unsigned lead_hi, unsigned trail_lo,
			   unsigned trail_hi, unsigned last_code)
{
	iconv_t cd = iconv_open("UTF-8", enc);
	if (cd == (iconv_t)-1)
		return;
	for (unsigned lead = lead_lo; lead <= lead_hi; lead++) {
		for (unsigned trail = trail_lo; trail <= trail_hi; trail++) {
			/* Big5 trail bytes skip 7F..A0. */
			if (trail > 0x7E && trail < 0xA1)
				continue;
			if ((lead << 8 | trail) > last_code)
				break;
			char in[2] = {(char)lead, (char)trail}, out[16];
			char *ip = in, *op = out;
			size_t il = 2, ol = sizeof out;
			iconv(cd, NULL, NULL, NULL, NULL);
			if (iconv(cd, &ip, &il, &op, &ol) == (size_t)-1 || il != 0)
				continue;
			const char *p = out;
			int cp = wy_utf8_decode(&p, op);
			if (cp >= 0)
				bit_set(map, first, last, (uint32_t)cp);
		}
	}
	iconv_close(cd);
}

static void tab_build(void)
{
	set_from_codes(tab.common_zh, URO_FIRST, URO_LAST, "GB2312", 0xB0, 0xD7, 0xA1, 0xFE, 0xD7F9);
	set_from_codes(tab.common_zh, URO_FIRST, URO_LAST, "BIG5", 0xA4, 0xC6, 0x40, 0xFE, 0xC67E);
	set_from_codes(tab.common_ja, URO_FIRST, URO_LAST, "EUC-JP", 0xB0, 0xCF, 0xA1, 0xFE, 0xCFD3);
	set_from_codes(tab.common_ko, HANGUL_FIRST, HANGUL_LAST, "EUC-KR", 0xB0, 0xC8, 0xA1, 0xFE, 0xC8FE);
	set_from_utf8(tab.freq_zh, URO_FIRST, URO_LAST, zh_simplified);
	set_from_utf8(tab.freq_zh, URO_FIRST, URO_LAST, zh_traditional);
	set_from_utf8(tab.freq_zh, URO_FIRST, URO_LAST, zh_classical);
	set_from_utf8(tab.freq_ja, URO_FIRST, URO_LAST, ja_kanji);
	set_from_utf8(tab.freq_ko, HANGUL_FIRST, HANGUL_LAST, ko_syllables);
	/* A frequent syllable is common by definition; the lists were typed
	 * by hand, so make sure. */
	for (size_t i = 0; i < HANGUL_BYTES; i++)
		tab.common_ko[i] |= tab.freq_ko[i];
}

/* ---- scoring ----------------------------------------------------------- */

/* Punctuation that real CJK text is full of, in every one of its encodings:
 * ideographic comma/full stop/space, brackets, fullwidth ,.:;?!() and the
 * curly quotes, dashes and ellipsis of GB/Big5/JIS. */
static bool good_punct(uint32_t cp)
{
	switch (cp) {
	case 0x3000: case 0x3001: case 0x3002: case 0x3008: case 0x3009:
	case 0x300A: case 0x300B: case 0x300C: case 0x300D: case 0x300E:
	case 0x300F: case 0x3010: case 0x3011: case 0x3014: case 0x3015:
	case 0xFF01: case 0xFF08: case 0xFF09: case 0xFF0C: case 0xFF0E:
	case 0xFF1A: case 0xFF1B: case 0xFF1F: case 0x2014: case 0x2015:
	case 0x2018: case 0x2019: case 0x201C: case 0x201D: case 0x2026:
	case 0x00B7: case 0x30FB: case 0x2025: case 0xFE30:
		return true;
	default:
		return false;
	}
}

/* Plausibility of one non-ASCII character in a text of language `lang`:
 * positive for what such text is made of, negative for what only a wrong
 * decoding produces (private use, C1 controls, halfwidth kana, rare
 * ideographs, Greek/Cyrillic/box drawing from the symbol rows). */
static double weight(uint32_t cp, int lang)
{
	if (cp >= URO_FIRST && cp <= URO_LAST) {
		switch (lang) {
		case LANG_ZH:
			if (bit_get(tab.freq_zh, URO_FIRST, cp))
				return 1.0;
			return bit_get(tab.common_zh, URO_FIRST, cp) ? 0.25 : 0.0;
		case LANG_JA:
			if (bit_get(tab.freq_ja, URO_FIRST, cp))
				return 1.0;
			return bit_get(tab.common_ja, URO_FIRST, cp) ? 0.4 : 0.0;
		default:
			/* Hanja: rare in modern Korean, but not wrong. */
			return bit_get(tab.common_zh, URO_FIRST, cp) ? 0.2 : 0.0;
		}
	}
	if (cp >= 0x3041 && cp <= 0x309F)       /* hiragana */
		return lang == LANG_JA ? 1.0 : -1.0;
	if (cp == 0x30FC)                       /* prolonged sound mark */
		return lang == LANG_JA ? 1.0 : -0.5;
	if (cp >= 0x30A1 && cp <= 0x30FA)       /* katakana */
		return lang == LANG_JA ? 0.8 : -0.5;
	if (cp >= HANGUL_FIRST && cp <= HANGUL_LAST) {
		if (lang != LANG_KO)
			return -1.0;
		if (bit_get(tab.freq_ko, HANGUL_FIRST, cp))
			return 1.0;
		/* CP949's extra syllables (outside KS X 1001) are rare. */
		return bit_get(tab.common_ko, HANGUL_FIRST, cp) ? 0.3 : -1.0;
	}
	if (good_punct(cp))
		return 0.5;
	if (cp >= 0x3003 && cp <= 0x303F)       /* other CJK symbols */
		return 0.0;
	if (cp >= 0xFF10 && cp <= 0xFF5E)       /* fullwidth digits and letters */
		return 0.1;
	if (cp >= 0xFF61 && cp <= 0xFF9F)       /* halfwidth katakana */
		return lang == LANG_JA ? -0.5 : -2.0;
	if (cp >= 0xFFA0 && cp <= 0xFFDC)       /* halfwidth Hangul */
		return -2.0;
	if (cp >= 0xFF00 && cp <= 0xFFEF)
		return 0.0;
	if (cp >= 0x2010 && cp <= 0x205F)       /* general punctuation */
		return 0.0;
	if (cp >= 0x3131 && cp <= 0x318E)       /* compatibility jamo */
		return lang == LANG_KO ? -0.3 : -1.0;
	if (cp >= 0x3105 && cp <= 0x312F)       /* bopomofo */
		return lang == LANG_ZH ? -0.3 : -1.0;
	if (cp >= 0x0080 && cp <= 0x009F)       /* C1 controls */
		return -3.0;
	if (cp >= 0x00A0 && cp <= 0x00FF)       /* Latin-1 signs and letters */
		return -0.5;
	if (cp >= 0x0100 && cp <= 0x024F)       /* Latin extended (pinyin tones) */
		return -1.0;
	if (cp >= 0x0370 && cp <= 0x04FF)       /* Greek, Cyrillic */
		return -1.0;
	if (cp >= 0x2500 && cp <= 0x25FF)       /* box drawing, blocks, shapes */
		return -0.5;
	if (cp >= 0x2100 && cp <= 0x27BF)       /* letterlike, arrows, math, dingbats */
		return -0.3;
	if ((cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0xF900 && cp <= 0xFAFF) ||
	    (cp >= 0x20000 && cp <= 0x323AF))   /* rare ideographs */
		return -1.0;
	if ((cp >= 0xE000 && cp <= 0xF8FF) || cp >= 0xF0000) /* private use */
		return -3.0;
	if (cp >= 0xFE10 && cp <= 0xFE6F)       /* vertical and small forms */
		return -1.0;
	/* Anything else (Arabic, Thai... as GB18030 four-byte codes) is not
	 * what a CJK legacy file holds. */
	return -2.0;
}

typedef struct score_ctx {
	int lang;
	double sum;
	size_t n;         /* non-ASCII characters seen */
	bool after_alpha; /* the previous character was an ASCII letter */
} score_ctx;

static int score_sink(void *vctx, const char *s, size_t n)
{
	score_ctx *sc = vctx;
	const char *p = s, *end = s + n;
	while (p < end) {
		unsigned char b = (unsigned char)*p;
		/* ASCII is the same in every candidate: it says nothing by
		 * itself, but see after_alpha. */
		if (b < 0x80) {
			sc->after_alpha = (b | 0x20) >= 'a' && (b | 0x20) <= 'z';
			p++;
			continue;
		}
		int cp = wy_utf8_decode(&p, end);
		bool after_alpha = sc->after_alpha;
		sc->after_alpha = false;
		/* U+FFFD is how decode() reports errors; those are counted
		 * there, so do not count them twice. */
		if (cp < 0 || (uint32_t)cp == WY_UTF8_REPLACEMENT)
			continue;
		sc->sum += weight((uint32_t)cp, sc->lang);
		/* Latin-1 text read as GBK or Big5 turns each accented letter
		 * and the letter after it into one ideograph, right after the
		 * letters before it ("Cunégonde" -> "Cun間onde"). Real CJK
		 * text rarely puts an ideograph straight after a Latin letter
		 * ("Linux系统" does it once per run). */
		if (after_alpha)
			sc->sum -= 1.5;
		sc->n++;
	}
	return WY_OK;
}

/* ---- decoding ---------------------------------------------------------- */

typedef int (*sink_fn)(void *ctx, const char *s, size_t n);

static const char replacement[] = "\xEF\xBF\xBD";

/* Decode in[0..len) as cs and feed the UTF-8 to sink in pieces of whole
 * characters. Undecodable units become U+FFFD and count in *errors. An
 * incomplete character at the end becomes one U+FFFD when at_end (the real
 * end of the data) and is ignored otherwise (a sample cut in the middle).
 * Returns WY_OK, WY_ENOTSUP when iconv lacks the decoder, or the first
 * non-zero return of sink. Memory: one 8 KiB stack buffer. */
static int decode(const cs_info *cs, const unsigned char *in, size_t len, bool at_end,
		  sink_fn sink, void *ctx, size_t *errors)
{
	int rc = WY_OK;
	*errors = 0;
	if (!cs->primary) {
		const char *s = (const char *)in;
		size_t i = 0;
		while (i < len) {
			size_t ok = wy_utf8_valid_prefix(s + i, len - i);
			if (ok && (rc = sink(ctx, s + i, ok)) != WY_OK)
				return rc;
			i += ok;
			if (i == len)
				break;
			if (wy_utf8_partial_tail(s + i, len - i) == len - i) {
				/* A character cut by the end of the buffer. */
				if (at_end)
					rc = sink(ctx, replacement, 3);
				return rc;
			}
			(*errors)++;
			if ((rc = sink(ctx, replacement, 3)) != WY_OK)
				return rc;
			i++;
		}
		return WY_OK;
	}

	iconv_t cd = iconv_open("UTF-8", cs->primary);
	if (cd == (iconv_t)-1)
		return WY_ENOTSUP;
	iconv_t cd2 = cs->fallback ? iconv_open("UTF-8", cs->fallback) : (iconv_t)-1;
	char obuf[8192];
	char *ip = (char *)in;
	size_t il = len;
	while (il > 0) {
		char *op = obuf;
		size_t ol = sizeof obuf;
		size_t r = iconv(cd, &ip, &il, &op, &ol);
		int e = errno;
		if (op > obuf && (rc = sink(ctx, obuf, (size_t)(op - obuf))) != WY_OK)
			goto out;
		if (r != (size_t)-1)
			break;
		if (e == E2BIG && op > obuf)
			continue;
		if (e == EINVAL) {
			/* Incomplete multibyte sequence at the end of input. */
			if (at_end)
				rc = sink(ctx, replacement, 3);
			goto out;
		}
		if (e == EILSEQ && cd2 != (iconv_t)-1 && il >= 2) {
			char *p2 = ip, *o2 = obuf;
			size_t l2 = 2, ol2 = sizeof obuf;
			iconv(cd2, NULL, NULL, NULL, NULL);
			if (iconv(cd2, &p2, &l2, &o2, &ol2) != (size_t)-1 && l2 == 0) {
				if ((rc = sink(ctx, obuf, (size_t)(o2 - obuf))) != WY_OK)
					goto out;
				ip += 2;
				il -= 2;
				continue;
			}
		}
		/* EILSEQ, or anything unexpected: replace one unit and go on,
		 * so that the loop always advances. */
		(*errors)++;
		if ((rc = sink(ctx, replacement, 3)) != WY_OK)
			goto out;
		size_t skip = cs->unit < il ? cs->unit : il;
		ip += skip;
		il -= skip;
	}
	/* Stateful decoders (ISO-2022-JP, BIG5-HKSCS's combining pairs) may
	 * still hold a character. */
	{
		char *op = obuf;
		size_t ol = sizeof obuf;
		iconv(cd, NULL, NULL, &op, &ol);
		if (op > obuf)
			rc = sink(ctx, obuf, (size_t)(op - obuf));
	}
out:
	if (cd2 != (iconv_t)-1)
		iconv_close(cd2);
	iconv_close(cd);
	return rc;
}

/* ---- detection --------------------------------------------------------- */

/* A code point that belongs in text: not a C0/C1 control other than
 * whitespace, not private use, not a noncharacter, not an unassigned plane. */
static bool texty(uint32_t cp)
{
	if (cp < 0x20)
		return cp == '\t' || cp == '\n' || cp == '\r' || cp == '\f';
	if (cp >= 0x7F && cp < 0xA0)
		return false;
	if (cp >= 0xD800 && cp <= 0xDFFF)
		return false;
	if (cp >= 0xE000 && cp <= 0xF8FF)
		return false;
	if (cp == 0xFFFE || cp == 0xFFFF)
		return false;
	if (cp >= 0x32400 && cp < 0xE0000)
		return false;
	return cp < 0xF0000;
}

/* UTF-32 without BOM: every unit must be a scalar value (so one byte of
 * four is always zero, which no other encoding produces) and nearly all
 * must be text, which rules out arrays of small integers. */
static bool looks_utf32(const unsigned char *d, size_t n, bool be)
{
	size_t units = n / 4, text = 0;
	if (units == 0)
		return false;
	for (size_t i = 0; i < units; i++) {
		const unsigned char *u = d + 4 * i;
		uint32_t cp = be ? (uint32_t)u[0] << 24 | (uint32_t)u[1] << 16 | (uint32_t)u[2] << 8 | u[3]
				 : (uint32_t)u[3] << 24 | (uint32_t)u[2] << 16 | (uint32_t)u[1] << 8 | u[0];
		if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return false;
		text += texty(cp);
	}
	return text * 100 >= units * 95;
}

/* Characters of real text for the UTF-16 test: whitespace, ASCII, the
 * alphabetic scripts, common symbols, CJK, Hangul, emoji. Reading UTF-16
 * in the wrong byte order, or 8-bit text as UTF-16, lands about half the
 * time in controls, CJK extension A, Yi, Braille, private use and other
 * blocks that are not listed here. */
static bool common_script(uint32_t cp)
{
	if (cp < 0x80)
		return cp >= 0x20 ? cp != 0x7F : cp == '\t' || cp == '\n' || cp == '\r' || cp == '\f';
	return (cp >= 0x00A0 && cp <= 0x1FFF) || (cp >= 0x2000 && cp <= 0x27BF) ||
	       (cp >= 0x3000 && cp <= 0x318F) || (cp >= 0x4E00 && cp <= 0x9FFF) ||
	       (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xFF00 && cp <= 0xFFEF) ||
	       (cp >= 0x1F000 && cp <= 0x1FAFF) || (cp >= 0x20000 && cp <= 0x2FA1F);
}

/* What UTF-16 without BOM looks like in one byte order. */
typedef struct u16_stat {
	double share;           /* of characters that are common_script; 0 on bad surrogates */
	double cjk;             /* best mean weight() over zh/ja/ko of the non-ASCII */
	size_t units;
	size_t zero_hi, zero_lo; /* units whose high / low byte is zero */
} u16_stat;

static u16_stat utf16_stat(const unsigned char *d, size_t n, bool be)
{
	u16_stat st = {0, 0, n / 2, 0, 0};
	size_t chars = 0, good = 0, wide = 0;
	double w[3] = {0, 0, 0};
	for (size_t i = 0; i < st.units; i++) {
		unsigned hi = d[2 * i + (be ? 0 : 1)], lo = d[2 * i + (be ? 1 : 0)];
		uint32_t cp = hi << 8 | lo;
		st.zero_hi += hi == 0;
		st.zero_lo += lo == 0;
		if (cp >= 0xDC00 && cp <= 0xDFFF)
			return (u16_stat){0, 0, 0, 0, 0};
		if (cp >= 0xD800 && cp <= 0xDBFF) {
			if (i + 1 >= st.units)
				break; /* pair cut by the sample end */
			unsigned hi2 = d[2 * i + 2 + (be ? 0 : 1)], lo2 = d[2 * i + 2 + (be ? 1 : 0)];
			uint32_t c2 = hi2 << 8 | lo2;
			if (c2 < 0xDC00 || c2 > 0xDFFF)
				return (u16_stat){0, 0, 0, 0, 0};
			cp = 0x10000 + ((cp - 0xD800) << 10) + (c2 - 0xDC00);
			i++;
		}
		chars++;
		good += common_script(cp);
		if (cp >= 0x80) {
			wide++;
			w[0] += weight(cp, LANG_ZH);
			w[1] += weight(cp, LANG_JA);
			w[2] += weight(cp, LANG_KO);
		}
	}
	st.share = chars ? (double)good / (double)chars : 0;
	if (wide) {
		st.cjk = w[0];
		st.cjk = w[1] > st.cjk ? w[1] : st.cjk;
		st.cjk = w[2] > st.cjk ? w[2] : st.cjk;
		st.cjk /= (double)wide;
	}
	return st;
}

/* UTF-16 without BOM. Two signals, because neither suffices alone:
 * - the zero-byte pattern: ASCII, spaces and newlines put a zero in the
 *   high byte of their unit. Strong for Western text, but CJK text may
 *   have only a newline or two, and as many zeros in low bytes (U+4E00,
 *   the ideographic space U+3000);
 * - the characters: CJK in the right order is all common_script, in the
 *   wrong order about half. But 8-bit ASCII text read as UTF-16 is ~90%
 *   common_script in both orders (lowercase pairs land in the URO).
 * So accept an order whose characters are text when either its zero
 *   pattern is clear or the other order is clearly not text. Without any
 *   zero byte (one line of pure CJK) only a near-perfect share, with the
 *   other order far below, is trusted. Returns CS_UTF16LE/BE or -1. */
static int detect_utf16(const unsigned char *d, size_t n, bool any_zero)
{
	u16_stat st[2] = {utf16_stat(d, n, false), utf16_stat(d, n, true)};
	bool pattern[2], ok[2];
	for (int i = 0; i < 2; i++) {
		const u16_stat *me = &st[i], *other = &st[!i];
		pattern[i] = me->zero_hi > me->zero_lo && me->zero_hi * 100 >= me->units &&
			     (me->zero_hi >= 3 || me->units <= 16);
		/* CJK read in the wrong order lands in the URO too (kana
		 * U+30xx become U+xx30), but on rare characters: the CJK
		 * scoring of the legacy step tells the orders apart. */
		bool clearer = other->share <= 0.8 || (me->cjk >= 0.5 && other->cjk <= me->cjk - 0.4);
		if (me->units == 0)
			ok[i] = false;
		else if (!any_zero)
			/* Without zeros only CJK is expected (any other script
			 * has spaces), and it must read as good CJK: short
			 * 8-bit text can pass the share test by chance. */
			ok[i] = me->units >= 4 && me->share >= 0.98 && me->cjk >= 0.5 && clearer;
		else
			ok[i] = me->share >= 0.95 && (pattern[i] || clearer);
	}
	if (ok[0] && ok[1]) {
		/* Lowercase ASCII reads as text both ways round; its zeros
		 * tell the order. */
		if (pattern[0] != pattern[1])
			return pattern[0] ? CS_UTF16LE : CS_UTF16BE;
		return st[0].share >= st[1].share ? CS_UTF16LE : CS_UTF16BE;
	}
	return ok[0] ? CS_UTF16LE : ok[1] ? CS_UTF16BE : -1;
}

/* Binary data: more than 2% of bytes are NULs or controls that text does
 * not use. ESC is allowed (ISO-2022 and terminal colours use it). */
static bool looks_binary(const unsigned char *d, size_t n)
{
	size_t bad = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char b = d[i];
		if ((b < 0x20 && b != '\t' && b != '\n' && b != '\r' && b != '\f' && b != 0x1B) || b == 0x7F)
			bad++;
	}
	return bad * 50 > n;
}

static bool looks_iso2022jp(const unsigned char *d, size_t n)
{
	bool esc = false;
	for (size_t i = 0; i < n; i++) {
		if (d[i] >= 0x80)
			return false;
		/* ESC $ @ and ESC $ B designate JIS X 0208 (ESC $ ( Q/O/D the
		 * later sets): the escapes that only Japanese mail and news use. */
		if (d[i] == 0x1B && i + 2 < n && d[i + 1] == '$' &&
		    (d[i + 2] == 'B' || d[i + 2] == '@' || d[i + 2] == '('))
			esc = true;
	}
	return esc;
}

/* Decode errors tolerated in a plausible candidate: one, plus one per
 * hundred characters for damaged files; more means a wrong guess. */
static bool too_many_errors(size_t errors, size_t chars)
{
	return errors > 1 + chars / 100;
}

static int detect_index(const unsigned char *d, size_t len, size_t *bom)
{
	*bom = 0;
	if (len == 0)
		return CS_UTF8;

	/* 1. Byte order marks win. FF FE 00 00 is read as UTF-32LE, not as
	 * UTF-16LE starting with U+0000, which text never does. */
	if (len >= 3 && d[0] == 0xEF && d[1] == 0xBB && d[2] == 0xBF) {
		*bom = 3;
		return CS_UTF8;
	}
	if (len >= 4 && d[0] == 0xFF && d[1] == 0xFE && d[2] == 0 && d[3] == 0) {
		*bom = 4;
		return CS_UTF32LE;
	}
	if (len >= 4 && d[0] == 0 && d[1] == 0 && d[2] == 0xFE && d[3] == 0xFF) {
		*bom = 4;
		return CS_UTF32BE;
	}
	if (len >= 2 && d[0] == 0xFF && d[1] == 0xFE) {
		*bom = 2;
		return CS_UTF16LE;
	}
	if (len >= 2 && d[0] == 0xFE && d[1] == 0xFF) {
		*bom = 2;
		return CS_UTF16BE;
	}

	size_t n = len < WY_CHARSET_SAMPLE ? len : WY_CHARSET_SAMPLE;
	bool whole = n == len;

	/* 2. UTF-32, then UTF-16, by their zero bytes. */
	if (looks_utf32(d, n, true))
		return CS_UTF32BE;
	if (looks_utf32(d, n, false))
		return CS_UTF32LE;
	/* UTF-16 is looked for only where an 8-bit reading fails: the bytes
	 * hold NULs, or so many control bytes that they would be binary
	 * (CJK in UTF-16 has low bytes 01..1F). */
	bool any_zero = memchr(d, 0, n) != NULL, binary = looks_binary(d, n);
	int u16 = -1;
	pthread_once(&tab_once, tab_build);
	if ((any_zero || binary) && (u16 = detect_utf16(d, n, any_zero)) >= 0)
		return u16;

	/* Everything below is an 8-bit encoding: NULs and controls mean the
	 * bytes are not text at all. */
	if (binary)
		return -1;

	size_t errors;
	score_ctx sc;

	/* 3. ISO-2022-JP: 7-bit with JIS escapes. */
	if (looks_iso2022jp(d, n)) {
		sc = (score_ctx){.lang = LANG_JA};
		if (decode(&charsets[CS_ISO2022JP], d, n, whole, score_sink, &sc, &errors) == WY_OK &&
		    !too_many_errors(errors, sc.n))
			return CS_ISO2022JP;
	}

	/* 4. Strict UTF-8 (pure ASCII included). A character cut at the end
	 * of the sample is fine; one cut at the end of the data is too, if
	 * the text shows other UTF-8 or the cut sequence is at least two
	 * bytes long, since a lone lead byte at the end could as well be a
	 * Latin-1 letter. */
	size_t ok = wy_utf8_valid_prefix((const char *)d, n);
	if (ok == n)
		return CS_UTF8;
	size_t tail = wy_utf8_partial_tail((const char *)d, n);
	if (tail && ok + tail == n) {
		bool multibyte = false;
		for (size_t i = 0; i < ok && !multibyte; i++)
			multibyte = d[i] >= 0x80;
		if (!whole || tail >= 2 || multibyte)
			return CS_UTF8;
	}
	/* UTF-8 with a few damaged bytes is still UTF-8: UTF-8 Latin text
	 * decoded as a legacy encoding can look plausible (C3 A9 "é" is a
	 * common hanzi in GB2312 and a syllable in EUC-KR), while legacy text
	 * read as UTF-8 gives at most one valid sequence per four errors
	 * (GBK: a lead C2..DF and a trail 80..BF). */
	sc = (score_ctx){.lang = LANG_NONE};
	if (decode(&charsets[CS_UTF8], d, n, whole, score_sink, &sc, &errors) == WY_OK &&
	    sc.n > 0 && sc.n >= 4 * errors)
		return CS_UTF8;

	/* 5. Legacy CJK encodings: decode, reject on errors, score what the
	 * decoded text is made of, keep the best. */
	int best = -1;
	double best_score = MIN_SCORE;
	for (size_t i = 0; i < sizeof legacy / sizeof legacy[0]; i++) {
		const cs_info *cs = &charsets[legacy[i]];
		sc = (score_ctx){.lang = cs->lang};
		if (decode(cs, d, n, whole, score_sink, &sc, &errors) != WY_OK)
			continue;
		if (sc.n == 0 || too_many_errors(errors, sc.n))
			continue;
		/* An error weighs like a private-use character. A few
		 * characters are weak evidence, so they must score higher: two
		 * stray bytes in a PDF header are not Big5. */
		double score = (sc.sum - 3.0 * (double)errors) / (double)(sc.n + errors) -
			       0.6 / (double)sc.n;
		if (score > best_score) {
			best_score = score;
			best = legacy[i];
		}
	}
	if (best >= 0)
		return best;

	/* 6. One line of CJK in UTF-16 may have neither zero bytes nor
	 * control bytes; it is taken only when its characters leave no
	 * doubt. */
	if (!any_zero && (u16 = detect_utf16(d, n, false)) >= 0)
		return u16;

	/* 7. No control bytes, not UTF-8, no plausible CJK: 8-bit Western
	 * text. Windows-1252 rather than Latin-1 because it is what such
	 * files really are (curly quotes, euro sign at 80..9F); its five
	 * undefined bytes decode to U+FFFD. */
	return CS_CP1252;
}

const char *wy_charset_detect(const void *data, size_t len)
{
	size_t bom;
	if (!data && len)
		return NULL;
	int i = detect_index(data, len, &bom);
	return i < 0 ? NULL : charsets[i].name;
}

const char *wy_charset_decoder(const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; i < sizeof charsets / sizeof charsets[0]; i++)
		if (strcmp(charsets[i].name, name) == 0)
			return charsets[i].primary ? charsets[i].primary : charsets[i].name;
	return NULL;
}

/* ---- conversion -------------------------------------------------------- */

typedef struct out_ctx {
	wy_buf *out;
	bool after_cr; /* the last byte seen was a CR (already written as LF) */
} out_ctx;

/* Append UTF-8 to the output with line ends normalised and controls
 * dropped. Works on bytes: C0 controls never occur inside a multibyte
 * sequence, so this cannot break one. Keeps after_cr across calls because
 * a CRLF may straddle two pieces. */
static int out_sink(void *vctx, const char *s, size_t n)
{
	out_ctx *oc = vctx;
	size_t run = 0; /* start of the pending run of bytes to copy */
	int rc;
	for (size_t i = 0; i < n; i++) {
		unsigned char b = (unsigned char)s[i];
		if (b >= 0x20 || b == '\t' || b == '\f' || (b == '\n' && !oc->after_cr)) {
			oc->after_cr = false;
			continue;
		}
		if (i > run && (rc = wy_buf_append(oc->out, s + run, i - run)) != WY_OK)
			return rc;
		run = i + 1;
		if (b == '\r') {
			if ((rc = wy_buf_putc(oc->out, '\n')) != WY_OK)
				return rc;
			oc->after_cr = true;
			continue;
		}
		/* The LF of a CRLF, or a control: dropped. */
		oc->after_cr = false;
	}
	if (n > run)
		return wy_buf_append(oc->out, s + run, n - run);
	return WY_OK;
}

int wy_charset_to_utf8(const void *data, size_t len, size_t cap, wy_buf *out,
		       const char **charset_out, wy_errinfo *ei)
{
	if (charset_out)
		*charset_out = NULL;
	if (!out)
		return wy_err_set(ei, WY_EINVAL, "no output buffer");
	wy_buf_init(out, cap);
	if (!data && len)
		return wy_err_set(ei, WY_EINVAL, "no input data");

	const unsigned char *d = data;
	size_t bom;
	int idx = detect_index(d, len, &bom);
	if (idx < 0)
		return wy_err_set(ei, WY_EFORMAT, "not a text file");
	const cs_info *cs = &charsets[idx];
	if (charset_out)
		*charset_out = cs->name;

	out_ctx oc = {.out = out, .after_cr = false};
	size_t errors;
	int rc = decode(cs, d + bom, len - bom, true, out_sink, &oc, &errors);
	/* Make data a valid empty string even when nothing was written. */
	if (rc == WY_OK)
		rc = wy_buf_append(out, "", 0);
	if (rc == WY_OK)
		return WY_OK;

	wy_buf_free(out);
	switch (rc) {
	case WY_ETOOBIG:
		return wy_err_set(ei, rc, "text is larger than %zu bytes", cap);
	case WY_ENOTSUP:
		return wy_err_set(ei, rc, "cannot decode %s: iconv lacks %s", cs->name, cs->primary);
	case WY_ENOMEM:
		return wy_err_set(ei, rc, "out of memory converting text");
	default:
		return wy_err_set(ei, rc, "cannot convert text from %s", cs->name);
	}
}
