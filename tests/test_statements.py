"""The statement reader: people's own words about themselves → values on the diagnosis traits."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Dict, Optional

import pytest
import yaml

from actions.statements import (
    StatementReader,
    TraitReading,
    default_lexicon,
    default_reader,
    load_lexicon,
)
from bot.knowledge.base import KnowledgeError, default_knowledge

LEXICON_PATH = Path(__file__).resolve().parent.parent / "data" / "knowledge" / "statements.yml"
TRAITS = tuple(default_knowledge().traits)


@pytest.fixture(scope="module")
def reader() -> StatementReader:
    return default_reader()


# text → {trait: value} for read(). Comments name the rule a group exercises.
READ_CASES = [
    # --- the brief's own examples
    ("大勢の前でプレゼンするのは得意じゃないんです", {"talk_people": -2}),
    ("電話対応ばかりの仕事はもう嫌です", {"talk_people": -2}),
    ("土日は休みたいし、ノルマも嫌", {"regular_holidays": 2, "targets_pressure": -2}),
    ("大勢でわいわいするより、静かに自分のペースで進めたいです", {"talk_people": -2}),
    ("細かい作業は嫌いではないかも", {"steady_accuracy": 1}),
    # --- talk_people: own pole
    ("人と話すのが大好きです", {"talk_people": 2}),
    ("人と話すのは好きです", {"talk_people": 2}),
    ("接客の仕事は楽しいと思う", {"talk_people": 2}),
    ("初対面の人と話すのは得意なほうです", {"talk_people": 1}),
    ("コミュニケーションを取るのはわりと得意", {"talk_people": 1}),
    ("おしゃべりするのが好き", {"talk_people": 2}),
    ("人前で話すのはめっちゃ緊張する", {"talk_people": -2}),
    ("電話は苦手です", {"talk_people": -2}),
    ("正直、接客はしんどいかも", {"talk_people": -1}),
    ("プレゼンはあまり得意じゃない", {"talk_people": -1}),
    ("人と話すのは全然好きじゃない", {"talk_people": -2}),
    ("人と話すのは嫌いじゃない", {"talk_people": 1}),
    ("接客は苦手じゃないです", {"talk_people": 1}),
    ("人と関わる仕事がしたい", {"talk_people": 2}),
    ("人と話さない仕事がいい", {"talk_people": -2}),
    # --- talk_people: opposite pole
    ("一人で黙々と作業するほうが好き", {"talk_people": -2}),
    ("静かな環境で働きたい", {"talk_people": -2}),
    ("人見知りなので接客は避けたい", {"talk_people": -2}),
    ("自分のペースで進められると嬉しい", {"talk_people": -2}),
    ("一人作業は苦手です", {"talk_people": 2}),
    ("一人で黙々とやるのは退屈", {"talk_people": 2}),
    # --- talk_people: contrast
    ("人と話すのは好きだけど、大勢の前は苦手", {"talk_people": -1}),
    ("プレゼンは得意だけど、好きではない", {"talk_people": -1}),
    ("電話は苦手。でも、対面で話すのは好き", {"talk_people": 1}),
    # --- targets_pressure
    ("ノルマがあると燃えるタイプです", {"targets_pressure": 2}),
    ("目標があるとやる気が出る", {"targets_pressure": 2}),
    ("ノルマは絶対に無理", {"targets_pressure": -2}),
    ("ノルマ? 絶対無理!", {"targets_pressure": -2}),
    ("ノルマに追われるのはしんどい", {"targets_pressure": -2}),
    ("ノルマがない職場がいい", {"targets_pressure": -2}),
    ("プレッシャーに弱い", {"targets_pressure": -2}),
    ("競争はまあ嫌いではない", {"targets_pressure": 1}),
    ("売上目標を追いかけるのはちょっと苦手かも", {"targets_pressure": -1}),
    ("目標を達成するのは好きだけど、ノルマは嫌", {"targets_pressure": -1}),
    ("ノルマはあまり気にならない", {"targets_pressure": 0}),
    ("ノルマがあっても平気", {"targets_pressure": 1}),
    # --- adapt_on_spot
    ("臨機応変に動くのは苦手", {"adapt_on_spot": -2}),
    ("トラブル対応はわりと得意", {"adapt_on_spot": 1}),
    ("その場で判断するのが得意です", {"adapt_on_spot": 2}),
    ("予想外のことが起きるとワクワクするし楽しい", {"adapt_on_spot": 2}),
    ("マニュアル通りに進めるほうが安心", {"adapt_on_spot": -2}),
    ("決められた手順で進めたい", {"adapt_on_spot": -2}),
    ("ルーティンの仕事は退屈", {"adapt_on_spot": 2}),
    ("マニュアル通りはつまらない", {"adapt_on_spot": 2}),
    ("トラブルはできれば避けたい", {"adapt_on_spot": -1}),  # できれば hedges the wish
    ("臨機応変な対応は苦手ではない", {"adapt_on_spot": 1}),
    ("アドリブはどちらかといえば苦手", {"adapt_on_spot": -1}),
    # --- steady_accuracy
    ("細かい作業が好き", {"steady_accuracy": 2}),
    ("コツコツ続けるのは得意です", {"steady_accuracy": 2}),
    ("データ入力は苦にならない", {"steady_accuracy": 1}),
    ("データ入力みたいな単調な作業は苦手", {"steady_accuracy": -2}),
    ("大雑把な性格なので細かいチェックは苦手", {"steady_accuracy": -2}),
    ("正確さには自信がないけど、コツコツやるのは好き", {"steady_accuracy": 1}),  # mixed: the later wins, mildly
    ("地道な作業はあんまり好きじゃない", {"steady_accuracy": -1}),
    ("細かい作業は嫌いではないけど、ずっとだと疲れそう", {"steady_accuracy": -1}),
    ("丁寧な仕事を大事にしたい", {"steady_accuracy": 2}),
    ("単調な作業はすぐ飽きる", {"steady_accuracy": -2}),
    ("細かい作業はとても苦手", {"steady_accuracy": -2}),
    ("書類のチェックは得意かもしれない", {"steady_accuracy": 1}),
    # --- support_others
    ("誰かをサポートするのが好き", {"support_others": 2}),
    ("縁の下の力持ちでいたい", {"support_others": 2}),
    ("裏方のほうが向いていると思う", {"support_others": 2}),
    ("目立つのは苦手で、裏方のほうが好き", {"support_others": 2}),
    ("主役になるより誰かを支えるほうが好き", {"support_others": 2}),
    ("自分が主役でいたい", {"support_others": -2}),
    ("目立つのが好き", {"support_others": -2}),
    ("人の役に立つと嬉しい", {"support_others": 2}),
    ("感謝されるとやりがいを感じる", {"support_others": 2}),
    ("サポート役はあまり興味がない", {"support_others": -1}),
    ("裏方は嫌いじゃないけど、たまには前に出たい", {"support_others": -1}),
    # --- regular_holidays
    ("土日は休みたい", {"regular_holidays": 2}),
    ("カレンダー通りに休めるのが理想です", {"regular_holidays": 2}),
    ("土日休みは絶対に譲れない", {"regular_holidays": 2}),
    ("休みの日はしっかり休みたい", {"regular_holidays": 2}),
    ("定時で帰りたい", {"regular_holidays": 2}),
    ("プライベートを大事にしたい", {"regular_holidays": 2}),
    ("休めないのは困る", {"regular_holidays": 2}),
    ("土日に出勤しない仕事がいい", {"regular_holidays": 2}),
    ("シフト制は嫌", {"regular_holidays": 2}),
    ("シフト制でも平気です", {"regular_holidays": -2}),
    ("土日出勤でも構わない", {"regular_holidays": -2}),
    ("平日休みのほうがいい", {"regular_holidays": -2}),
    ("休みはどちらでもいい", {"regular_holidays": 0}),
    ("休みの曜日はとくに気にしません", {"regular_holidays": 0}),
    ("土日休みにはこだわらない", {"regular_holidays": 0}),
    ("残業が多いのはつらい", {"regular_holidays": 2}),
    # --- visible_results
    ("成果が数字で見えるとやる気が出る", {"visible_results": 2}),
    ("頑張りが評価されると嬉しい", {"visible_results": 2}),
    ("評価されないのは嫌だ", {"visible_results": 2}),
    ("実績を数字で示せるのが魅力", {"visible_results": 2}),
    ("数字で評価されるのは少しストレス", {"visible_results": -1}),
    ("成果が見えにくい仕事は退屈", {"visible_results": 2}),
    ("結果を出すことにはこだわらない", {"visible_results": 0}),
    ("数字で見られるのはあまり好きじゃない", {"visible_results": -1}),
    # --- bridging_risk
    ("部署の間に立つ調整役をやってみたい", {"bridging_risk": 2}),
    ("板挟みになるのは避けたいです", {"bridging_risk": -2}),
    ("リスク管理にはちょっと興味がある", {"bridging_risk": 1}),
    # --- specialist_knowledge
    ("簿記の資格を取りたい", {"specialist_knowledge": 2}),
    ("専門知識を身につけたい", {"specialist_knowledge": 2}),
    ("法律の勉強に興味がある", {"specialist_knowledge": 2}),
    ("会計の知識はまあ身につけたいかな", {"specialist_knowledge": 1}),
    ("簿記の勉強はちょっと面倒", {"specialist_knowledge": -1}),
    ("資格とかはあまり興味ない", {"specialist_knowledge": -1}),
    ("勉強は大嫌い", {"specialist_knowledge": -2}),
    ("資格はなくてもいい", {"specialist_knowledge": -1}),
    ("手に職をつけたい", {"specialist_knowledge": 2}),
    # --- several traits in one statement
    ("土日は休みたいけど、ノルマがあるのは平気", {"regular_holidays": 2, "targets_pressure": 1}),
    ("人と話すのは好きだし、トラブル対応も得意", {"talk_people": 2, "adapt_on_spot": 2}),
    ("接客は苦手。細かい作業は好きです", {"talk_people": -2, "steady_accuracy": 2}),
    ("簿記の資格を取りたいし、土日は休みたい", {"specialist_knowledge": 2, "regular_holidays": 2}),
    ("ノルマは嫌だけど、成果が数字で見えるのは嬉しい", {"targets_pressure": -2, "visible_results": 2}),
    # --- more negation scope, topics and clause joins
    ("接客はやれなくはない", {"talk_people": 1}),
    ("人と話すのは好きじゃなくはない", {"talk_people": 1}),
    ("人と話すのは別に嫌いじゃないです", {"talk_people": 1}),
    ("土日休みじゃなくてもいい", {"regular_holidays": -1}),
    ("休日出勤はなるべく避けたい", {"regular_holidays": 1}),  # なるべく hedges the wish
    ("電話対応は勘弁してほしい", {"talk_people": -2}),
    ("電話対応は避けたくない", {"talk_people": 1}),
    ("臨機応変に対応できる自信はない", {"adapt_on_spot": -2}),
    ("頑張っても評価されないのは辛い", {"visible_results": 2}),
    ("成果主義は苦手", {"visible_results": -2}),
    ("人のサポートに回るのは性に合わない", {"support_others": -2}),
    ("人を支える仕事には興味がない", {"support_others": -2}),
    ("自分が前に出るより、誰かを支える方が好きです", {"support_others": 2}),
    ("人と話すの、得意じゃないです", {"talk_people": -2}),
    ("接客、電話対応、プレゼン、全部苦手", {"talk_people": -2}),
    ("接客は苦手なので、事務がいい", {"talk_people": -2}),
    ("人と話すのは好きだけど、毎日は疲れそう", {"talk_people": -1}),
    ("人と話すのが好きかと言われると、そうでもない", {"talk_people": -1}),
    ("正直どっちでもいいけど、土日休みだと嬉しい", {"regular_holidays": 2}),
    ("土日休みは嬉しいけど、そこまで気にしない", {"regular_holidays": -1}),  # そこまで〜気にしない: a mild no
    ("一人の方が気楽", {"talk_people": -2}),
    ("勉強は苦手だけど、資格は取りたい", {"specialist_knowledge": 1}),
    # --- spelling, casual forms, NFKC
    ("人と話すのはきらいです", {"talk_people": -2}),
    ("ノルマはむりです", {"targets_pressure": -2}),
    ("ＰＣに向かって黙々とやるのが好き", {"talk_people": -2}),
    ("細かい作業、出来ます", {"steady_accuracy": 1}),
    ("土日祝、休めるとうれしい", {"regular_holidays": 2}),
    # --- everyday vocabulary, talk_people: everyday activities (飛び込み, 外回り, 頭を下げる, クレーム, 初対面 ...)
    ("お客さんに頭を下げるのがストレス", {"talk_people": -2}),
    ("飛び込みとか外回りはほんとに無理です", {"talk_people": -2}),
    ("クレーム対応はできればやりたくないです", {"talk_people": -1}),
    ("雑談は苦手じゃないけど、商談となると緊張しちゃう", {"talk_people": -1}),
    ("お客様と直接話せる仕事がしたいです", {"talk_people": 2}),
    ("電話応対はそこまで苦にならないです", {"talk_people": 1}),
    ("人見知りなんで、知らない人と話すのは気が重いです", {"talk_people": -2}),
    ("人前で話すのはあがり症なので無理です", {"talk_people": -2}),
    ("テレアポはやりたくない", {"talk_people": -2}),
    ("接待とかは正直苦痛です", {"talk_people": -2}),
    ("受付の仕事に憧れてます", {"talk_people": 2}),
    ("訪問営業とかは抵抗あります", {"talk_people": -2}),
    ("お客様対応、嫌いではないです", {"talk_people": 1}),
    ("人と会わずに済む仕事が理想", {"talk_people": -2}),
    ("コミュ障なので電話がこわい", {"talk_people": -2}),
    ("交渉ごとはわりと得意なほうかな", {"talk_people": 1}),
    ("世間話とかするのが楽しいんですよね", {"talk_people": 2}),
    ("内気な性格なので、静かな職場がいいです", {"talk_people": -2}),
    ("謝罪の電話をするのはめちゃくちゃ憂鬱", {"talk_people": -2}),
    ("誰とでも仲良くなれるのが強みです", {"talk_people": 2}),
    ("接客わ苦手です", {"talk_people": -2}),  # typo: わ for は
    # --- everyday vocabulary, targets_pressure: 数字に追われる, 詰められる, 負けず嫌い, 競い合う ...
    ("数字に追われるのは正直しんどい", {"targets_pressure": -2, "visible_results": -2}),  # numbers chase: both
    ("負けず嫌いなので競い合うのは燃えます", {"targets_pressure": 2}),
    ("ノルマがない職場で働きたい", {"targets_pressure": -2}),
    ("インセンティブがあると頑張れる", {"targets_pressure": 2, "visible_results": 2}),  # pay for results: both
    ("上司に詰められるのは耐えられない", {"targets_pressure": -2}),
    ("売上を上げるのが楽しい", {"targets_pressure": 2}),
    ("件数を競うのは好きじゃない", {"targets_pressure": -2}),
    ("目標数値があったほうが頑張れる", {"targets_pressure": 2}),
    ("ゆるい職場で働きたいです", {"targets_pressure": -2}),
    ("数字のプレッシャーに追われる毎日はもう勘弁", {"targets_pressure": -2}),
    ("ランキングで順位が出るとテンション上がる", {"targets_pressure": 2}),
    ("KPIとか言われると萎える", {"targets_pressure": -2}),
    ("人と争うのはあまり好きじゃないです", {"targets_pressure": -1}),
    ("のんびりした雰囲気はちょっと退屈かも", {"targets_pressure": 1}),
    # --- everyday vocabulary, adapt_on_spot: イレギュラー, 急な変更, 指示通り, 段取り ...
    ("イレギュラーな対応は嫌いじゃない", {"adapt_on_spot": 1}),
    ("急な変更があるとテンパっちゃう", {"adapt_on_spot": -2}),
    ("マニュアルがあると安心します", {"adapt_on_spot": -2}),
    ("毎日ルーティンだと飽きちゃいそう", {"adapt_on_spot": 1}),
    ("アドリブ力には自信があります", {"adapt_on_spot": 2}),
    ("指示通りに動くほうが楽", {"adapt_on_spot": -2}),
    ("急な対応も嫌いじゃないです", {"adapt_on_spot": 1}),
    ("想定外のことが起きるとパニックになります", {"adapt_on_spot": -2}),
    ("段取り通りに進めたい派です", {"adapt_on_spot": -2}),
    ("毎日同じことの繰り返しは退屈すぎる", {"adapt_on_spot": 2}),
    ("変化がない仕事はつまらないと思う", {"adapt_on_spot": 2}),
    ("臨機応変さには欠けるかもしれません", {"adapt_on_spot": -1}),
    ("現場判断を任されるのはやりがいがある", {"adapt_on_spot": 2}),
    ("応用力はあんまりないです", {"adapt_on_spot": -1}),
    ("計画的に進めるのが好き", {"adapt_on_spot": -2}),
    ("ハプニングがあっても割と平気です", {"adapt_on_spot": 1}),
    # --- everyday vocabulary, steady_accuracy: 集計, 入力, 計算, 間違いを見つける, ファイリング ...
    ("エクセルで集計作業とか延々やってても平気", {"steady_accuracy": 1}),
    ("書類の間違いを見つけるのが得意", {"steady_accuracy": 2}),
    ("入力作業なら何時間でもいけます", {"steady_accuracy": 1}),
    ("伝票処理とか帳簿付けは苦じゃないです", {"steady_accuracy": 1}),
    ("エクセルは得意ではありません", {"steady_accuracy": -2}),
    ("パソコン作業はずっとやってると肩が凝るけど嫌いじゃない", {"steady_accuracy": 1}),
    ("数字を扱うのは好きですが、細かすぎるのはちょっと…", {"steady_accuracy": -1}),  # trails off: a polite no
    ("いい加減な性格なんで、ミスなくこなすのは自信ないです", {"steady_accuracy": -2}),
    ("計算は得意ですがケアレスミスが多いです", {"steady_accuracy": -1}),  # contrast: mixed, the later side
    ("ファイリングとか書類整理は好きです", {"steady_accuracy": 2}),
    ("ダブルチェックとか細かい確認作業は苦痛", {"steady_accuracy": -2}),
    ("大雑把な性格なので、細かい作業は向いてないです", {"steady_accuracy": -2}),
    ("決まった手順で淡々とこなすのが性に合ってる", {"adapt_on_spot": -2, "steady_accuracy": 2}),
    ("デスクワークはずっと座ってるのがしんどい", {"steady_accuracy": -2}),
    ("集中力はそんなにないです", {"steady_accuracy": -1}),  # あまり/そんなに〜ない with no predicate
    # --- everyday vocabulary, support_others: 世話, 役に立てる, 働きやすい環境, 頼られる, 引っ張る ...
    ("社員が働きやすい環境をつくりたい", {"support_others": 2}),
    ("誰かのお世話をするのが好きです", {"support_others": 2}),
    ("人の役に立てるとうれしいです", {"support_others": 2}),
    ("先頭に立って引っ張るより、サポート役のほうが向いてる", {"support_others": 2}),
    ("リーダーシップを発揮したい", {"support_others": -2}),
    ("頼られるとやる気が出ます", {"support_others": 2}),
    ("雑用ばかりはちょっと嫌かも", {"support_others": -1}),
    ("自分が目立つより、人を支えるほうが好き", {"support_others": 2}),
    ("人の上に立つのは向いてないと思います", {"support_others": 2}),
    ("手柄を立てたいタイプです", {"support_others": -2}),
    ("後方支援って地味だけど好きです", {"support_others": 2}),
    ("人の世話を焼くのは苦手かも", {"support_others": -1}),
    ("気配りは得意な方だと思います", {"support_others": 1}),
    ("秘書みたいな仕事に憧れる", {"support_others": 2}),
    ("裏方は性に合わないかな", {"support_others": -1}),
    ("人の面倒を見るのはあんまり得意じゃない", {"support_others": -1}),
    # --- everyday vocabulary, regular_holidays: 土曜日曜, 年間休日, 週休二日, 夜勤, 早番遅番, 子育て ...
    ("土曜も日曜も休みたい", {"regular_holidays": 2}),
    ("年間休日は120日以上ほしい", {"regular_holidays": 2}),
    ("週休二日は譲れないです", {"regular_holidays": 2}),
    ("夏休みとか長期休暇がとれるとうれしい", {"regular_holidays": 2}),
    ("子育て中なので、早く帰れる仕事がいいです", {"regular_holidays": 2}),
    ("夜勤や早番遅番があるのはちょっと厳しい", {"regular_holidays": 1}),
    ("サービス残業は絶対いや", {"regular_holidays": 2}),
    ("交代制でも別に構わない", {"regular_holidays": -2}),
    ("平日休みでもいいかな", {"regular_holidays": -1}),
    ("休みはそこまでこだわりません", {"regular_holidays": -1}),
    ("残業はある程度なら平気です", {"regular_holidays": -1}),
    ("シフト勤務は苦になりません", {"regular_holidays": -1}),
    ("家族と過ごす時間は何より大事にしたいです", {"regular_holidays": 2}),
    # --- everyday vocabulary, visible_results: 成績, 昇給, 歩合制, 固定給, 報われる, 手応え ...
    ("頑張った分だけ評価される仕事がしたい", {"visible_results": 2}),
    ("歩合制はちょっと怖い", {"visible_results": -1}),
    ("成績が貼り出されるのは憂鬱", {"visible_results": -2}),
    ("昇給のチャンスがあるとやる気出る", {"visible_results": 2}),
    ("ボーナスが成果で決まるのはやる気出る", {"visible_results": 2}),
    ("固定給のほうが安心", {"visible_results": -2}),
    ("実力次第で給料が上がる会社がいい", {"visible_results": 2}),
    ("頑張りが報われない仕事はしんどい", {"visible_results": 2}),
    ("出世には興味ないです", {"visible_results": -2}),
    ("表彰されるとうれしいタイプ", {"visible_results": 2}),
    ("手応えを感じられる仕事がしたい", {"visible_results": 2}),
    ("成果が数字で出るのはモチベになる", {"visible_results": 2}),
    ("結果が出るのはうれしいけど、そこまで重視してない", {"visible_results": -1}),
    # --- everyday vocabulary, specialist_knowledge: 会計のプロ, 宅建, 社労士, 目指す, 憧れる, 広く浅く ...
    ("会計のプロになりたい", {"specialist_knowledge": 2}),
    ("簿記2級を目指してます", {"specialist_knowledge": 2}),
    ("税理士に憧れてます", {"specialist_knowledge": 2}),
    ("資格の勉強はめんどくさい", {"specialist_knowledge": -2}),
    ("専門性を身につけてキャリアアップしたい", {"specialist_knowledge": 2}),
    ("広く浅くのほうが性に合ってる", {"specialist_knowledge": -2}),
    ("宅建を取りたいと思ってます", {"specialist_knowledge": 2}),
    ("社労士の資格に興味があります", {"specialist_knowledge": 2}),
    ("ゼネラリストよりスペシャリストになりたい", {"specialist_knowledge": 2}),
    ("試験勉強は苦手です", {"specialist_knowledge": -2}),
    ("知識を深めるのはわりと好き", {"specialist_knowledge": 1}),
    ("資格不要の仕事がいい", {"specialist_knowledge": -2}),
    ("勉強し続けるのはしんどい", {"specialist_knowledge": -2}),
    ("税金とか社会保険の知識は全然ないけど、学びたい", {"specialist_knowledge": 2}),
    ("難しい法律の勉強はしたくない", {"specialist_knowledge": -2}),
    ("スキルアップには正直あまり興味がないです", {"specialist_knowledge": -1}),
    # --- everyday vocabulary, several traits, keigo and long messages
    ("人見知りなので接客はしんどいですが、データ入力のような作業はまったく苦になりません",
     {"talk_people": -2, "steady_accuracy": 2}),
    ("夜勤はきついので避けたいですし、できれば土日祝は休みたいと考えております", {"regular_holidays": 2}),
    ("成果報酬はプレッシャーで無理", {"visible_results": -2, "targets_pressure": -2}),
    # --- bare mentions are context, not preferences; other statements speak to nothing
    ("営業をしています", {}),
    ("接客の仕事です", {}),
    ("土日はシフトに入っています", {}),
    ("今日はいい天気ですね", {}),
    ("人と話すのは好きですか", {}),  # a question, not a statement
    ("人と話すの好き?", {}),
    ("土日は休みたいかも?", {"regular_holidays": 1}),  # hedged: tentative, not a question
    ("昨日は土日出勤でした", {}),
    ("外回りの営業をしています", {}),
    ("昨日は夜勤でした", {}),
    ("簿記2級を持っています", {}),
    ("お客さんと話すのは好きですか", {}),
    ("営業の仕事に興味があります", {}),  # 営業 is a job, not a trait word
    ("ノルマって何ですか", {}),
    ("目標は特にないです", {"targets_pressure": 0}),
    ("好きです", {}),
    ("うーん", {}),
    ("", {}),
]


@pytest.mark.parametrize(("text", "expected"), READ_CASES, ids=[c[0] or "empty" for c in READ_CASES])
def test_read(reader: StatementReader, text: str, expected: Dict[str, int]) -> None:
    assert {trait: reading.value for trait, reading in reader.read(text).items()} == expected


# (text, asked trait) → value for read_answer().
ANSWER_CASES = [
    # generic answers apply to the asked trait
    ("はい", "talk_people", 2),
    ("うん", "support_others", 2),
    ("そうですね", "regular_holidays", 2),
    ("もちろんです", "specialist_knowledge", 2),
    ("いいえ", "regular_holidays", -2),
    ("ううん", "talk_people", -2),
    ("あまり", "talk_people", -1),
    ("あまりないです", "steady_accuracy", -1),
    ("そうでもないです", "visible_results", -1),
    ("ないです", "targets_pressure", -2),
    ("好きです", "support_others", 2),
    ("大好きです!", "talk_people", 2),
    ("得意です", "adapt_on_spot", 2),
    ("苦手です", "steady_accuracy", -2),
    ("まあまあ得意かな", "steady_accuracy", 1),
    ("うん、まあ", "talk_people", 1),
    ("どちらかといえば当てはまる", "talk_people", 1),
    ("あまり当てはまらない", "targets_pressure", -1),
    ("嫌いじゃないです", "talk_people", 1),
    ("全然苦じゃない", "steady_accuracy", 2),
    ("全然平気", "talk_people", 2),
    ("苦手ではないです", "adapt_on_spot", 1),
    ("やれなくはないけど、毎日だと疲れそう", "talk_people", -1),
    ("はい、でも毎日は疲れそう", "talk_people", -1),
    ("好きですけど、ちょっと疲れるかも", "talk_people", -1),
    ("興味あります", "specialist_knowledge", 2),
    ("とても重視します", "regular_holidays", 2),
    ("したいです", "visible_results", 2),
    ("したくないです", "visible_results", -2),
    ("燃えます", "targets_pressure", 2),
    ("しんどいです", "targets_pressure", -2),
    # indifference → 0 for the asked trait
    ("とくに気にしません", "regular_holidays", 0),
    ("どっちでもいいかな", "talk_people", 0),
    ("普通です", "talk_people", 0),
    ("どちらともいえない", "support_others", 0),
    ("わからない", "adapt_on_spot", 0),
    ("こだわりはないです", "regular_holidays", 0),
    ("場合によるかな", "talk_people", 0),
    ("特にないです", "visible_results", 0),
    ("そんなに気にしないかな", "regular_holidays", -1),  # not much: a mild no, not indifference
    ("人による", "talk_people", 0),
    # a hedge alone leans towards yes, as 「どちらかといえば」 alone does on the scale
    ("それなりに", "talk_people", 1),
    ("少しだけ", "talk_people", 1),
    ("どちらかといえば", "support_others", 1),
    ("たぶん大丈夫", "talk_people", 1),
    ("はい、かなり", "talk_people", 2),
    ("当てはまります", "support_others", 2),
    ("いや、むしろ苦手", "talk_people", -2),
    ("無理です", "targets_pressure", -2),
    ("嫌ではないです", "talk_people", 1),
    ("得意な方だと思う", "adapt_on_spot", 1),
    ("資格は持ってないけど興味はある", "specialist_knowledge", 2),
    ("休みは大事です", "regular_holidays", 2),
    ("好きですか", "talk_people", None),
    # trait words (either pole) decide when present
    ("土日は休みたい", "regular_holidays", 2),
    ("シフト制でも平気", "regular_holidays", -2),
    ("一人で黙々とやるほうが好き", "talk_people", -2),
    ("マニュアル通りがいい", "adapt_on_spot", -2),
    ("裏方が好きです", "support_others", 2),
    ("主役になりたい", "support_others", -2),
    ("ノルマは嫌です", "targets_pressure", -2),
    ("簿記は取りたいです", "specialist_knowledge", 2),
    ("細かい作業は嫌いではないかも", "steady_accuracy", 1),
    ("集中力はそんなにないです", "steady_accuracy", -1),  # あまり/そんなに〜ない: one no, not two
    ("シフト勤務は苦になりません", "regular_holidays", -1),
    ("夜勤はきついです", "regular_holidays", 2),
    # words of another trait do not answer this question
    ("ノルマは嫌", "regular_holidays", None),
    ("土日は休みたい", "talk_people", None),
    # nothing usable
    ("うーん", "talk_people", None),
    ("えっと", "talk_people", None),
    ("質問の意味がよくわかりません", "talk_people", None),  # about the question, not the trait
    ("営業です", "talk_people", None),
    ("", "talk_people", None),
]


# Mechanisms of the reader, one short case each (text, asked trait, value).
MECHANISM_CASES = [
    # 〜とは思わない / 〜とは言えない: the verb of saying passes the negation on; とは言えない is mild
    ("好きとは思わないです", "talk_people", -2),
    ("得意とは言えません", "adapt_on_spot", -1),
    # あまり/そこまで with a word that is negative in itself, and with 気にしない/こだわらない
    ("あまり向いていないと思います", "steady_accuracy", -1),
    ("そこまで気にしないです", "regular_holidays", -1),
    ("そこまで興味はないです", "bridging_risk", -1),
    # double negation: a mild yes
    ("できなくはないです", "adapt_on_spot", 1),
    # 〜ないと (困る/落ち着かない): the thing is needed
    ("目標がないとやる気が出ません", "targets_pressure", 2),
    ("マニュアルがないと落ち着かないです", "adapt_on_spot", -2),
    ("土日が休みじゃないと困ります", "regular_holidays", 2),
    ("土日休みじゃないと無理です", "regular_holidays", 2),
    ("休みじゃないと思います", "regular_holidays", -2),  # と思う quotes; no condition
    # indifference: あってもなくても, 〜による, pairs that weigh two sides evenly
    ("ノルマはあってもなくても同じです", "targets_pressure", 0),
    ("会社によります", "regular_holidays", 0),
    ("得意とも苦手とも言えません", "steady_accuracy", 0),
    ("土日でも平日でも大丈夫です", "regular_holidays", 0),
    ("やる気はそんなに変わらないです", "targets_pressure", 0),
    ("好きな日もあれば嫌な日もあります", "talk_people", 0),
    ("質問の意味がわかりません", "talk_people", None),
    # comparatives: より and 〜ほうが (the clause after より is the other side)
    ("勉強より体を動かすほうが好き", "specialist_knowledge", -2),
    ("現場で動くほうが好きです", "bridging_risk", -2),
    ("目標はあったほうがいいです", "targets_pressure", 2),
    ("手順が決まっているほうが安心です", "adapt_on_spot", -2),
    # a trait word that ends the clause says the person is so
    ("けっこう人見知りするほうです", "talk_people", -2),
    ("几帳面なほうではないかも", "steady_accuracy", -1),
    ("人見知りなので無理です", "talk_people", -2),  # the reason: 無理 is said of talking
    ("見落としが多くて、よく注意されます", "steady_accuracy", -2),
    ("昨日は夜勤でした", "regular_holidays", None),  # what happened, not what the person is
    # a verb after a trait word hands on the negation in a relative clause; やる気は出ない
    ("数字で評価されない仕事がいいです", "visible_results", -2),
    ("やる気はあまり出ないです", "targets_pressure", -1),
    ("資格は持ってないけど興味はあります", "specialist_knowledge", 2),
    # contrast: later clause decides, disagreement is mild; 「Xはあるけど」 grants a point
    ("人見知りするけど、話すのは楽しいです", "talk_people", 1),
    ("プレッシャーはあるけど、目標は好きです", "targets_pressure", 1),
    ("好きです。電話も苦になりません", "talk_people", 2),
    ("いいえ、あまり好きではありません", "talk_people", -1),
    # hedges: できれば, a hedge of an earlier predicate does not soften the last one
    ("できれば土日は休みたいです", "regular_holidays", 1),
    ("大変そうで無理です", "bridging_risk", -2),
    ("少しは感じます", "support_others", 1),
    ("ちょっと考えさせてください", "support_others", None),
    # a clause that trails off after ちょっと is a polite no
    ("仕事にするのはちょっと…", "talk_people", -1),
    # ordinary words that contain a lexicon word: そういう is not the answer そう
    ("そういうタイプではないです", "support_others", -2),
    ("簿記とかも勉強したいです", "specialist_knowledge", 2),
    # polite forms match entries written plainly
    ("苦になりません", "talk_people", 1),
    ("ご遠慮させていただきたく存じます", "visible_results", -2),
    # a trait word turned round by what follows: a day off one works, a plan that changes
    ("お盆も年末年始も働けます", "regular_holidays", -2),
    ("祝日は仕事でも構いません", "regular_holidays", -2),
    ("休める仕事がいいです", "regular_holidays", 2),
    ("予定が変わるのは苦手です", "adapt_on_spot", -2),
    # words that only name the topic weigh less than the day they are on
    ("平日に連休が取れれば満足です", "regular_holidays", -2),
    # 「Xでも平気」: accepting even the other pole is a clear no
    ("夜勤でも大丈夫です", "regular_holidays", -2),
    ("初対面でも平気です", "talk_people", 2),
    # しか〜ない is "only", not a negation
    ("ノルマなんてストレスでしかないです", "targets_pressure", -2),
    # やる気出ない without a particle
    ("目標がないとやる気出ないです", "targets_pressure", 2),
    # a predicate in a condition only hedges; 何を〜ばいいか asks
    ("必要なら勉強します", "specialist_knowledge", 1),
    ("できたら簿記を取りたいです", "specialist_knowledge", 1),
    ("なんて答えればいいんだろう", "talk_people", None),
    ("人前だと何を話せばいいか分からなくなります", "talk_people", -1),
    # an answer word used as an adverb says nothing
    ("普通に話せるけど、大勢の前だと黙ってしまう", "talk_people", -1),
    # 〜なほう leans that way, unless intensified
    ("人の役に立つのは好きなほうです", "support_others", 1),
    ("目標があると本当に燃えるほうです", "targets_pressure", 2),
    # a concession before a contrast makes the turn mild, even when it names no trait
    ("難しそうですが、挑戦してみたいです", "bridging_risk", 1),
    ("作業は遅いけど、正確さには自信があります", "steady_accuracy", 1),
    ("うーん、難しいですね", "talk_people", None),
    # once the answer has turned it stays mild
    ("できなくはないけど、ミスが多いほうなので自信はないです", "steady_accuracy", -1),
    # after a reason the conclusion decides; a trailing reason adds nothing
    ("細かい作業は好きだったので、たぶん大丈夫です", "steady_accuracy", 1),
    ("できれば土日休みがいいです。子供が土日休みなので", "regular_holidays", 1),
    ("家族と過ごせるだけで全然違うので、土日は休みたい", "regular_holidays", 2),
    # それより: それ is the thing, also when it was said to be unwanted
    ("ノルマはいらないです。それより人を支えるほうが好き", "targets_pressure", -2),
    # そこまで before a negated trait word: mild
    ("そこまで数字に追われない仕事がいいです", "targets_pressure", -1),
    # a particular day tells what happened
    ("昨日はあまり眠れなくて", "talk_people", None),
    # 〜でも〜でもない weighs both sides
    ("得意でも苦手でもないです", "adapt_on_spot", 0),
    # what kind of person one is, before a reason
    ("うっかりミスの常習犯なので向いてないです", "steady_accuracy", -2),
    # vocabulary: ゼロ negates, 暗記 is studying, 探す wants
    ("資格には興味ゼロです", "specialist_knowledge", -2),
    ("暗記が苦手なので勉強はしたくないです", "specialist_knowledge", -2),
    ("残業のない職場を探しています", "regular_holidays", 2),
    # 数字 names the targets only when their question is asked
    ("数字で詰められると萎縮します", "targets_pressure", -2),
]


@pytest.mark.parametrize(("text", "trait", "expected"), MECHANISM_CASES, ids=[f"{c[1]}:{c[0]}" for c in MECHANISM_CASES])
def test_mechanisms(reader: StatementReader, text: str, trait: str, expected: Optional[int]) -> None:
    assert reader.read_answer(text, trait) == expected


@pytest.mark.parametrize(("text", "trait", "expected"), ANSWER_CASES,
                         ids=[f"{c[1]}:{c[0] or 'empty'}" for c in ANSWER_CASES])
def test_read_answer(reader: StatementReader, text: str, trait: str, expected: Optional[int]) -> None:
    assert reader.read_answer(text, trait) == expected


def test_when_asked_words_name_the_trait_only_when_asked(reader: StatementReader) -> None:
    assert "targets_pressure" not in reader.read("数字で見えるのがいい")
    assert reader.read_answer("数字を言われると萎縮します", "targets_pressure") == -2


def test_cases_cover_every_trait() -> None:
    traits = {trait for _, expected in READ_CASES for trait in expected}
    traits |= {trait for _, trait, _ in ANSWER_CASES}
    assert traits == set(TRAITS)


# --- evidence ---------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "trait", "evidence"), [
    ("土日は休みたいし、ノルマも嫌", "regular_holidays", "土日は休みたい"),
    ("土日は休みたいし、ノルマも嫌", "targets_pressure", "ノルマも嫌"),
    ("うーん、電話対応は苦手です。", "talk_people", "電話対応は苦手です"),
    ("プレゼンは得意だけど、好きではない", "talk_people", "プレゼンは得意だけど、好きではない"),
    ("大勢でわいわいするより、静かに自分のペースで進めたいです!", "talk_people",
     "大勢でわいわいするより、静かに自分のペースで進めたいです"),
    ("接客は苦手。でも、電話なら平気", "talk_people", "接客は苦手。でも、電話なら平気"),
    ("ＰＣに向かって黙々とやるのが好き", "talk_people", "ＰＣに向かって黙々とやるのが好き"),
])
def test_evidence_quotes_the_users_words(reader: StatementReader, text: str, trait: str, evidence: str) -> None:
    reading = reader.read(text)[trait]
    assert reading == TraitReading(trait, reading.value, evidence)


def test_readings_are_in_range(reader: StatementReader) -> None:
    for text, _ in READ_CASES:
        for trait, reading in reader.read(text).items():
            assert trait in TRAITS and -2 <= reading.value <= 2 and reading.trait == trait


def test_reading_is_fast(reader: StatementReader) -> None:
    texts = [text for text, _ in READ_CASES]
    for text in texts:  # warm-up: the tokenizer and its cache
        reader.read(text)
    start = time.perf_counter()
    for text in texts:
        reader.read(text + "。")  # new strings: the token cache does not help
    per_message = (time.perf_counter() - start) / len(texts)
    assert per_message < 0.005


def test_default_reader_and_lexicon_are_cached() -> None:
    assert default_reader() is default_reader()
    assert default_lexicon() is default_lexicon()
    assert default_reader().lexicon is default_lexicon()


def test_default_lexicon_follows_knowledge_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = yaml.safe_load(LEXICON_PATH.read_text(encoding="utf-8"))
    data["traits"]["talk_people"]["own"].append("カラオケ")
    (tmp_path / "statements.yml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("KNOWLEDGE_DIR", str(tmp_path))
    default_lexicon.cache_clear()
    try:
        assert StatementReader(default_lexicon()).read("カラオケが好き") == {
            "talk_people": TraitReading("talk_people", 2, "カラオケが好き")}
    finally:
        default_lexicon.cache_clear()


# --- lexicon errors ----------------------------------------------------------------------


def _write_broken(tmp_path: Path, edit) -> Path:  # type: ignore[no-untyped-def]
    data = yaml.safe_load(LEXICON_PATH.read_text(encoding="utf-8"))
    edit(data)
    path = tmp_path / "statements.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    # The trait ids are checked against traits.yml next to the lexicon.
    (tmp_path / "traits.yml").write_text((LEXICON_PATH.parent / "traits.yml").read_text(encoding="utf-8"),
                                         encoding="utf-8")
    return path


def test_the_shipped_lexicon_loads() -> None:
    lexicon = load_lexicon(LEXICON_PATH)
    assert set(lexicon.traits) == set(TRAITS)


@pytest.mark.parametrize(("edit", "entry"), [
    (lambda d: d["traits"]["talk_people"]["own"].append(""), "traits.talk_people.own"),
    (lambda d: d["traits"]["talk_people"]["own"].append("会話"), "traits.talk_people.own"),
    (lambda d: d["traits"]["talk_people"]["opposite"].append("会話"), "traits.talk_people.opposite"),
    (lambda d: d["traits"].update(charm={"own": ["笑顔"], "opposite": ["無表情"]}), "traits.charm"),
    (lambda d: d["traits"]["talk_people"].pop("opposite"), "traits.talk_people"),
    (lambda d: d["predicates"]["positive"].append({"text": "好き", "pos": 3}), "predicates.positive"),
    (lambda d: d["predicates"]["positive"].append({"text": "とても 好き", "pos": "形状詞"}), "predicates.positive"),
    (lambda d: d["predicates"]["negative"].append("好き"), "predicates.negative"),
    (lambda d: d["predicates"].update(lukewarm=["微温い"]), "predicates.lukewarm"),
    (lambda d: d["predicates"]["positive"].append(["好き"]), "predicates.positive"),
    (lambda d: d.pop("negators"), "negators"),
    (lambda d: d.update(hedges=[]), "hedges"),
    (lambda d: d.pop("traits"), "traits"),
    (lambda d: d["indifference"].pop("when_negated"), "indifference.when_negated"),
    (lambda d: d.update(hesitations="うーん"), "hesitations"),
])
def test_bad_lexicon_names_the_entry(tmp_path: Path, edit, entry: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(KnowledgeError) as raised:
        load_lexicon(_write_broken(tmp_path, edit))
    assert raised.value.file == "statements.yml"
    assert raised.value.entry.startswith(entry)


def test_unreadable_lexicon(tmp_path: Path) -> None:
    path = tmp_path / "statements.yml"
    path.write_text("traits: [unclosed", encoding="utf-8")
    with pytest.raises(KnowledgeError, match="statements.yml"):
        load_lexicon(path)
    with pytest.raises(KnowledgeError, match="cannot be read"):
        load_lexicon(tmp_path / "missing" / "statements.yml")
