import type { BacktestReport } from './summary.js';

/**
 * A self-contained HTML report of a backtest: the numbers as tables, and four charts drawn in the page from the
 * embedded data (SVG, no external script, style or font): the cost distribution per policy, the mean trajectory
 * against the mean schedule, where each policy's fills came from, and per-venue markouts. Each chart records on
 * its element how many marks it drew (data-marks), so a test in a browser can check that it drew.
 */
export function renderReport(r: BacktestReport): string {
  const data = JSON.stringify(r).replace(/</g, '\\u003c');
  const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
  const f = (x: number | null, d = 2) => (x === null || !Number.isFinite(x) ? '–' : x.toFixed(d));
  const rows = r.policies
    .map(
      (p) =>
        `<tr><td>${esc(p.policy)}</td><td>${f(p.is_bps.mean)}</td><td>[${f(p.is_bps.ci95[0])}, ${f(p.is_bps.ci95[1])}]</td><td>${f(p.components_bps.spread)}</td><td>${f(p.components_bps.impact)}</td><td>${f(p.components_bps.timing)}</td><td>${f(p.components_bps.fees)}</td><td>${f(p.components_bps.opportunity)}</td><td>${f(p.completion_adjusted_bps.mean)}</td><td>${f(p.vwap_slippage_bps.mean)}</td><td>${f(p.twap_slippage_bps.mean)}</td><td>${f(p.fill_rate * 100, 1)}</td><td>${f(p.completion * 100, 1)}</td><td>${f(p.participation * 100, 1)}</td></tr>`,
    )
    .join('\n');
  const cmp = r.comparisons
    .map(
      (c) =>
        `<tr><td>${esc(c.a)} − ${esc(c.b)}</td><td>${f(c.mean_diff)}</td><td>[${f(c.ci95[0])}, ${f(c.ci95[1])}]</td><td>${f(c.p_outperform * 100, 1)}</td><td>${Number.isFinite(c.gain_loss) ? f(c.gain_loss) : '∞'}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Backtest: ${esc(r.scenario)} · ${esc(r.symbol)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1100px}
h1{font-size:20px}h2{font-size:16px;margin-top:28px}
table{border-collapse:collapse;font-variant-numeric:tabular-nums}td,th{padding:3px 8px;border-bottom:1px solid #ddd;text-align:right}
td:first-child,th:first-child{text-align:left}.chart{width:100%;max-width:1000px}
.note{color:#555;font-size:13px}svg text{font:11px system-ui,sans-serif;fill:#333}
</style></head><body>
<h1>Backtest: ${esc(r.scenario)} · ${esc(r.symbol)} · seed ${r.seed}</h1>
<p class="note">${r.orders} parent orders of ${r.size_pct_adv[0]}–${r.size_pct_adv[1]} % of an average daily volume of ${r.adv.toLocaleString('en-US')} shares, each over ${r.horizon_minutes} minutes,
every policy on the same market path as the others (common random numbers), and once without the order to separate impact from timing.
Costs are in basis points of the arrival mid, positive = cost; intervals are bootstrap 95 %.</p>
<h2>Summary</h2>
<table><thead><tr><th>policy</th><th>IS mean</th><th>95 % interval</th><th>spread</th><th>impact</th><th>timing</th><th>fees</th><th>opportunity</th><th>IS, completion-adjusted</th><th>vs VWAP</th><th>vs TWAP</th><th>fill %</th><th>complete %</th><th>particip. %</th></tr></thead>
<tbody>${rows}</tbody></table>
<h2>Cost distribution per policy</h2><p class="note">Implementation shortfall per order: box 25–75 %, whiskers 5–95 %, line the median, dot the mean.</p>
<svg id="chart-cost" class="chart" viewBox="0 0 1000 320"></svg>
<h2>Trajectory against schedule</h2><p class="note">Mean fraction filled over the horizon (solid) and the schedule's mean target (dashed), per policy.</p>
<svg id="chart-trajectory" class="chart" viewBox="0 0 1000 320"></svg>
<h2>Venue breakdown</h2><p class="note">Where each policy's fills came from (share of shares filled).</p>
<svg id="chart-venues" class="chart" viewBox="0 0 1000 320"></svg>
<h2>Markouts</h2><p class="note">Share-weighted markout of fills per venue, all policies pooled: (fill price − mid h seconds later) / fill price for buys, opposite for sells; positive = the market moved against the fill (adverse selection, spread included).</p>
<svg id="chart-markouts" class="chart" viewBox="0 0 1000 320"></svg>
<h2>Paired comparisons</h2><p class="note">Differences in shortfall on the same orders (A − B, negative = A cheaper), share of orders on which A cost less, and the gain–loss ratio.</p>
<table><thead><tr><th>A − B</th><th>mean, bps</th><th>95 % interval</th><th>A better, %</th><th>gain/loss</th></tr></thead><tbody>${cmp}</tbody></table>
<script id="data" type="application/json">${data}</script>
<script>
(function(){
var R=JSON.parse(document.getElementById('data').textContent);
var NS='http://www.w3.org/2000/svg';
var COL=['#1f77b4','#ff7f0e','#2ca02c','#d62728','#9467bd','#8c564b','#e377c2','#7f7f7f','#bcbd22','#17becf'];
function el(svg,tag,attrs,text){var e=document.createElementNS(NS,tag);for(var k in attrs)e.setAttribute(k,attrs[k]);if(text!==undefined)e.textContent=text;svg.appendChild(e);return e;}
function q(xs,p){var s=xs.slice().sort(function(a,b){return a-b});if(!s.length)return NaN;var i=(s.length-1)*p,lo=Math.floor(i),hi=Math.ceil(i);return s[lo]+(s[hi]-s[lo])*(i-lo);}
function scale(d0,d1,r0,r1){if(d1===d0){d1=d0+1;}return function(x){return r0+(x-d0)/(d1-d0)*(r1-r0);};}
function nice(lo,hi){var span=hi-lo||1,step=Math.pow(10,Math.floor(Math.log10(span/5)));var m=span/step;step*=m>7.5?2:m>3.5?1:0.5;var out=[];for(var v=Math.ceil(lo/step)*step;v<=hi+1e-9;v+=step)out.push(+v.toFixed(10));return out;}
function axisY(svg,y,lo,hi,x0,x1,label){var n=0;nice(lo,hi).forEach(function(v){el(svg,'line',{x1:x0,x2:x1,y1:y(v),y2:y(v),stroke:'#eee'});el(svg,'text',{x:x0-6,y:y(v)+4,'text-anchor':'end'},String(v));n++;});el(svg,'text',{x:12,y:20},label);return n;}
function marks(svg,n){svg.setAttribute('data-marks',String(n));}
// 1. cost distribution
(function(){var svg=document.getElementById('chart-cost');var names=Object.keys(R.distributions);var all=[].concat.apply([],names.map(function(k){return R.distributions[k];})).filter(isFinite);
var lo=q(all,0.02),hi=q(all,0.98);if(!(hi>lo)){lo-=1;hi+=1;}var pad=(hi-lo)*0.05;lo-=pad;hi+=pad;var y=scale(lo,hi,290,20);axisY(svg,y,lo,hi,60,990,'bps');var w=930/names.length,n=0;
names.forEach(function(k,i){var xs=R.distributions[k].filter(isFinite);var cx=60+w*(i+0.5),bw=Math.min(60,w*0.5),c=COL[i%COL.length],cl=function(v){return Math.max(20,Math.min(290,y(v)));};
var p5=q(xs,.05),p25=q(xs,.25),p50=q(xs,.5),p75=q(xs,.75),p95=q(xs,.95),m=xs.reduce(function(a,b){return a+b},0)/xs.length;
el(svg,'line',{x1:cx,x2:cx,y1:cl(p5),y2:cl(p95),stroke:c});el(svg,'rect',{x:cx-bw/2,y:cl(p75),width:bw,height:Math.max(1,cl(p25)-cl(p75)),fill:c,'fill-opacity':0.25,stroke:c});
el(svg,'line',{x1:cx-bw/2,x2:cx+bw/2,y1:cl(p50),y2:cl(p50),stroke:c,'stroke-width':2});el(svg,'circle',{cx:cx,cy:cl(m),r:3.5,fill:c});el(svg,'text',{x:cx,y:308,'text-anchor':'middle'},k);n+=4;});
el(svg,'line',{x1:60,x2:990,y1:y(0),y2:y(0),stroke:'#999','stroke-dasharray':'3 3'});marks(svg,n);})();
// 2. trajectory against schedule
(function(){var svg=document.getElementById('chart-trajectory');var names=Object.keys(R.trajectories);var x=scale(0,1,60,800),y=scale(0,1,290,20);axisY(svg,y,0,1,60,800,'fraction filled');var n=0;
[0,0.25,0.5,0.75,1].forEach(function(v){el(svg,'text',{x:x(v),y:308,'text-anchor':'middle'},Math.round(v*100)+'% of horizon');});
names.forEach(function(k,i){var t=R.trajectories[k],c=COL[i%COL.length],N=t.filled.length;function pts(a){return a.map(function(v,j){return x(j/(N-1))+','+y(v);}).join(' ');}
el(svg,'polyline',{points:pts(t.target),fill:'none',stroke:c,'stroke-dasharray':'5 4','stroke-opacity':0.7});el(svg,'polyline',{points:pts(t.filled),fill:'none',stroke:c,'stroke-width':2});
el(svg,'rect',{x:820,y:30+i*20,width:14,height:4,fill:c});el(svg,'text',{x:840,y:36+i*20},k);n+=2;});marks(svg,n);})();
// 3. venue breakdown
(function(){var svg=document.getElementById('chart-venues');var venues=[];R.policies.forEach(function(p){p.venues.forEach(function(v){if(venues.indexOf(v.venue)<0)venues.push(v.venue);});});venues.sort();
var h=Math.min(36,260/R.policies.length),x=scale(0,1,110,800),n=0;
R.policies.forEach(function(p,i){var y0=20+i*h,acc=0;el(svg,'text',{x:100,y:y0+h*0.6,'text-anchor':'end'},p.policy);
venues.forEach(function(v,j){var e=p.venues.filter(function(z){return z.venue===v;})[0];var s=e?e.share_of_fills:0;if(s>0){el(svg,'rect',{x:x(acc),y:y0,width:Math.max(0.5,x(acc+s)-x(acc)),height:h*0.8,fill:COL[j%COL.length]});n++;}acc+=s;});});
venues.forEach(function(v,j){el(svg,'rect',{x:820,y:30+j*20,width:12,height:12,fill:COL[j%COL.length]});el(svg,'text',{x:838,y:40+j*20},v);});
[0,0.5,1].forEach(function(v){el(svg,'text',{x:x(v),y:310,'text-anchor':'middle'},Math.round(v*100)+'%');});marks(svg,n);})();
// 4. markouts per venue
(function(){var svg=document.getElementById('chart-markouts');var M=R.markouts.filter(function(m){return m.shares>0;});var hs=['1s','10s','60s'];var vals=[];M.forEach(function(m){hs.forEach(function(h){var v=m.markout_bps[h];if(v!==null&&isFinite(v))vals.push(v);});});
var lo=Math.min.apply(null,vals.concat([0])),hi=Math.max.apply(null,vals.concat([0]));var pad=(hi-lo)*0.1||1;lo-=pad;hi+=pad;var y=scale(lo,hi,290,20);axisY(svg,y,lo,hi,60,800,'bps');var x=function(k){return 100+k*300;};var n=0;
hs.forEach(function(h,k){el(svg,'text',{x:x(k),y:308,'text-anchor':'middle'},h+' after the fill');});el(svg,'line',{x1:60,x2:800,y1:y(0),y2:y(0),stroke:'#999','stroke-dasharray':'3 3'});
M.forEach(function(m,i){var c=COL[i%COL.length];var pts=[];hs.forEach(function(h,k){var v=m.markout_bps[h];if(v!==null&&isFinite(v)){pts.push(x(k)+','+y(v));el(svg,'circle',{cx:x(k),cy:y(v),r:4,fill:c});n++;}});
if(pts.length>1){el(svg,'polyline',{points:pts.join(' '),fill:'none',stroke:c,'stroke-width':2});}el(svg,'rect',{x:820,y:30+i*20,width:14,height:4,fill:c});el(svg,'text',{x:840,y:36+i*20},m.venue+' ('+m.shares.toLocaleString('en-US')+' sh)');});marks(svg,n);})();
document.body.setAttribute('data-ready','1');
})();
</script>
</body></html>
`;
}
